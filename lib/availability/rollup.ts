// The availability rollup's two steps inside an ingest transaction
// (lib/ingest/store.ts calls them; the SQL and its reasoning are in
// rollup-sql.ts).
import "server-only";
import type pg from "pg";
import type { AcceptedItem } from "../ingest/parse";
import { AVAILABILITY_DIRTY_SQL, AVAILABILITY_ROLLUP_SQL } from "./rollup-sql";

export interface DirtyClient {
  client_id: string;
  dirty_from: number;
}

const isPresence = (item: AcceptedItem) =>
  item.event.eventType === "connected" || item.event.eventType === "disconnected";

/** Before the batch is stored: per client with presence events, where its coverage may change. */
export async function availabilityDirty(
  client: pg.ClientBase,
  items: readonly AcceptedItem[],
): Promise<DirtyClient[]> {
  const rows = items.filter(isPresence).map(({ event }) => ({
    client_id: event.clientId,
    session_identifier: event.sessionIdentifier,
    version_number: event.versionNumber,
    at: event.timestamp,
  }));
  if (rows.length === 0) return [];
  // Not named: it looks up connections, see updateAvailability.
  const result = await client.query<DirtyClient>(AVAILABILITY_DIRTY_SQL, [JSON.stringify(rows)]);
  return result.rows;
}

/**
 * After client_state is refreshed: recomputes the dirty clients that got new
 * presence events (a batch of duplicates changes nothing) and records first
 * events. Planned per batch, like the client_state refresh, for the same
 * reason (lib/ingest/store.ts): it looks up each client's connections.
 */
export async function updateAvailability(
  client: pg.ClientBase,
  dirty: readonly DirtyClient[],
  fresh: readonly AcceptedItem[],
): Promise<void> {
  if (fresh.length === 0) return;
  const changed = new Set(fresh.filter(isPresence).map((f) => f.event.clientId));
  const firstAt = new Map<string, number>();
  for (const { event } of fresh) {
    const t = firstAt.get(event.clientId);
    if (t === undefined || event.timestamp < t) firstAt.set(event.clientId, event.timestamp);
  }
  await client.query(AVAILABILITY_ROLLUP_SQL, [
    JSON.stringify(dirty.filter((d) => changed.has(d.client_id))),
    JSON.stringify([...firstAt].map(([client_id, first_at]) => ({ client_id, first_at }))),
  ]);
}
