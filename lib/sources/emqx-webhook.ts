// EMQX data integration's HTTP form (POST /api/ingest/emqx): a rule such as
// `SELECT * FROM "$events/client_connected", "$events/client_disconnected"`
// with an HTTP action posting each event's fields as JSON (EMQX 5's default
// body, `${.}`), or the EMQX 4 web hook's `client_connected` /
// `client_disconnected` actions. Mapped with the same function as the $SYS
// bridge (lib/bridge/emqx.ts), so both forms of one event store alike.
//
// Fields: https://docs.emqx.com/en/emqx/latest/data-integration/rule-sql-events-and-fields.html
import { emqxPresencePayload } from "../bridge/emqx";
import { UnmappableItem } from "../ingest/parse";
import { TOPIC_PREFIXES } from "../ingest/schemas";

const KINDS: Record<string, "connected" | "disconnected"> = {
  "client.connected": "connected",
  "client.disconnected": "disconnected",
  // EMQX 4's web hook plugin.
  client_connected: "connected",
  client_disconnected: "disconnected",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One posted EMQX event as an `/api/ingest` envelope, or an UnmappableItem saying why not. */
export function mapEmqxEvent(event: unknown): unknown {
  if (!isRecord(event)) return new UnmappableItem("event must be a JSON object", event);
  const name = typeof event.event === "string" ? event.event : event.action;
  const kind = typeof name === "string" ? KINDS[name] : undefined;
  if (kind === undefined) {
    return new UnmappableItem(
      `event ${JSON.stringify(name ?? null)} is not client.connected or client.disconnected`,
      event,
    );
  }
  if (typeof event.clientid !== "string")
    return new UnmappableItem("clientid must be a string", event);
  const node = typeof event.node === "string" ? event.node : "emqx";
  const payload = emqxPresencePayload(kind, node, event.clientid, event);
  if (payload === null) {
    return new UnmappableItem(
      kind === "connected"
        ? "connected_at or timestamp must be a number (ms since epoch)"
        : "disconnected_at or timestamp must be a number (ms since epoch)",
      event,
    );
  }
  return { topic: TOPIC_PREFIXES[kind] + event.clientid, payload };
}
