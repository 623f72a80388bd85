// EMQX announces clients on `$SYS/brokers/<node>/clients/<clientid>/connected`
// and `.../disconnected`. This maps them onto the AWS lifecycle schema so the
// rest of the system sees one format (docs/bridge.md, "EMQX").
//
// EMQX has no versionNumber and no session identifier. The connection's start
// time (`connected_at`, ms) stands in for the version: connections then order
// by when they began on the broker's clock, which is what "highest version
// wins" needs, and no reset ever happens. A disconnect carries the start time
// of its connection when EMQX includes `connected_at`, else the one this
// bridge remembers from the connect event; failing both (bridge restarted,
// events split across shared-subscription bridges), its own `disconnected_at`,
// which files it as a connection of its own that only ends, later than the one
// it closed, so the status is still right but the timeline shows the gap.
import { TOPIC_PREFIXES } from "../ingest/schemas";

const TOPIC = /^\$SYS\/brokers\/([^/]+)\/clients\/(.+)\/(connected|disconnected)$/;

/** EMQX 4+ uses ms; much older releases used seconds. */
function toMs(value: unknown): number | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  return value < 1e12 ? Math.round(value * 1000) : Math.round(value);
}

const REASONS: Record<string, string> = {
  normal: "CLIENT_INITIATED_DISCONNECT",
  client_disconnect: "CLIENT_INITIATED_DISCONNECT",
  keepalive_timeout: "MQTT_KEEP_ALIVE_TIMEOUT",
  takenover: "DUPLICATE_CLIENTID",
  takeovered: "DUPLICATE_CLIENTID",
  discarded: "DUPLICATE_CLIENTID",
  kicked: "API_INITIATED_DISCONNECT",
  tcp_closed: "CONNECTION_LOST",
  sock_closed: "CONNECTION_LOST",
  closed: "CONNECTION_LOST",
  ssl_closed: "CONNECTION_LOST",
  not_authorized: "AUTH_ERROR",
  banned: "FORBIDDEN_ACCESS",
};

export function isEmqxTopic(topic: string): boolean {
  return TOPIC.test(topic);
}

/** The host of EMQX's `peername` (`host:port`, IPv6 in brackets). */
function hostOf(peername: unknown): string | null {
  if (typeof peername !== "string") return null;
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peername);
  if (bracketed) return bracketed[1]!;
  const plain = /^([^:]+):\d+$/.exec(peername);
  return plain ? plain[1]! : peername;
}

/**
 * The AWS-format lifecycle payload for one EMQX presence event, or null when
 * it carries no usable time. Shared by the $SYS bridge mapping and the
 * rule-engine webhook (lib/sources/emqx-webhook.ts). `rememberedStart`: the
 * start of the client's latest connection if the caller knows it (the
 * bridge does; a stateless webhook does not).
 */
export function emqxPresencePayload(
  kind: "connected" | "disconnected",
  node: string,
  clientId: string,
  p: Record<string, unknown>,
  rememberedStart: number | null = null,
): Record<string, unknown> | null {
  const username = typeof p.username === "string" && p.username !== "undefined" ? p.username : null;
  const common = {
    clientId,
    sessionIdentifier: `emqx:${node}:${clientId}`,
    principalIdentifier: username ?? "anonymous",
  };
  if (kind === "connected") {
    const startedAt = toMs(p.connected_at) ?? toMs(p.ts) ?? toMs(p.timestamp);
    if (startedAt === null) return null;
    const payload: Record<string, unknown> = {
      ...common,
      eventType: "connected",
      timestamp: startedAt,
      versionNumber: startedAt,
      emqx: p,
    };
    const ip = typeof p.ipaddress === "string" ? p.ipaddress : hostOf(p.peername);
    if (ip !== null) payload.ipAddress = ip;
    return payload;
  }
  const endedAt = toMs(p.disconnected_at) ?? toMs(p.ts) ?? toMs(p.timestamp);
  if (endedAt === null) return null;
  const startedAt = toMs(p.connected_at) ?? rememberedStart ?? endedAt;
  const reason = typeof p.reason === "string" ? p.reason : "unknown";
  return {
    ...common,
    eventType: "disconnected",
    timestamp: endedAt,
    versionNumber: startedAt,
    clientInitiatedDisconnect: reason === "normal" || reason === "client_disconnect",
    disconnectReason: REASONS[reason] ?? reason.toUpperCase(),
    emqx: p,
  };
}

export class EmqxMapper {
  /** clientId → connected_at of its latest connection seen, bounded (oldest forgotten first). */
  private readonly starts = new Map<string, number>();

  constructor(private readonly memory = 100_000) {}

  /** The AWS-format envelope JSON for an EMQX presence message, or null if it is not one. */
  map(topic: string, payloadText: string): { topic: string; payload: string } | null {
    const match = TOPIC.exec(topic);
    if (!match) return null;
    const node = match[1]!;
    const kind = match[3] as "connected" | "disconnected";
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(payloadText) as Record<string, unknown>;
    } catch {
      return null;
    }
    const clientId = typeof p.clientid === "string" ? p.clientid : match[2]!;
    const payload = emqxPresencePayload(kind, node, clientId, p, this.starts.get(clientId) ?? null);
    if (payload === null) return null;
    if (kind === "connected") this.remember(clientId, payload.versionNumber as number);
    return { topic: TOPIC_PREFIXES[kind] + clientId, payload: JSON.stringify(payload) };
  }

  private remember(clientId: string, startedAt: number): void {
    this.starts.delete(clientId);
    this.starts.set(clientId, startedAt);
    if (this.starts.size > this.memory) this.starts.delete(this.starts.keys().next().value!);
  }
}
