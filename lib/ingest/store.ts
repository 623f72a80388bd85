// Writes one validated batch and refreshes the derived rows of the clients it
// touched, in one transaction: either all of it is durable or none is.
import "server-only";
import type pg from "pg";
import type { Source } from "../../contract/sources";
import type { PresenceConfig } from "../presence/types";
import type { AcceptedItem, RejectedItem } from "./parse";
import {
  ALL_ROLLUPS,
  rollupsAfter,
  rollupsBefore,
  type Rollups,
  type RollupsBefore,
} from "./rollups";
import {
  CHANGES_CHANNEL,
  INSERT_EVENTS_SQL,
  INSERT_QUARANTINE_SQL,
  LOCK_BATCH_SQL,
  REFRESH_CLIENT_STATE_SQL,
  TOUCH_CLIENT_STATE_SQL,
} from "./store-sql";

export interface StoreResult {
  inserted: number;
  duplicates: number;
  touchedClients: string[];
}

/**
 * INSERT_EVENTS_SQL's $1. Each payload appears once, as the canonical JSON
 * its dedupe key was hashed from, spliced in without serialising it again;
 * the typed columns are read from it in SQL. Sending typed columns beside the
 * raw payload took about twice the bytes and JSON work.
 */
function eventRowsJson(items: readonly AcceptedItem[]): string {
  let out = "[";
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i]!;
    out += `${i === 0 ? "" : ","}{"dedupe_key":"${item.dedupeKey}","ord":${i},"src":"${item.source}","raw":${item.canonical}}`;
  }
  return `${out}]`;
}

/** Per client, the latest event times and the earliest one among the newly stored events. */
function batchTimes(items: readonly AcceptedItem[]) {
  const times = new Map<
    string,
    {
      connected: number | null;
      disconnected: number | null;
      any: number;
      first: number;
      source: Source;
    }
  >();
  for (const { event, source } of items) {
    const t = times.get(event.clientId) ?? {
      connected: null,
      disconnected: null,
      any: event.timestamp,
      first: event.timestamp,
      source,
    };
    t.any = Math.max(t.any, event.timestamp);
    t.first = Math.min(t.first, event.timestamp);
    if (event.eventType === "connected") t.connected = Math.max(t.connected ?? 0, event.timestamp);
    if (event.eventType === "disconnected")
      t.disconnected = Math.max(t.disconnected ?? 0, event.timestamp);
    times.set(event.clientId, t);
  }
  return times;
}

/**
 * Recomputes the derived row of every client the batch touched: in full
 * (REFRESH_CLIENT_STATE_SQL) where the batch changed a connection, else only
 * the last-event time (TOUCH_CLIENT_STATE_SQL). Returns the clients touched
 * and those among them seen for the first time (their row inserted).
 */
async function refreshClientState(
  client: pg.ClientBase,
  fresh: readonly AcceptedItem[],
  receivedAt: Date,
  config: PresenceConfig,
): Promise<{ touched: string[]; seenFirst: Set<string> }> {
  const times = batchTimes(fresh);
  const seenFirst = new Set<string>();
  const changed: object[] = [];
  const touched: object[] = [];
  for (const [clientId, t] of times) {
    if (t.connected === null && t.disconnected === null) {
      touched.push({
        client_id: clientId,
        last_event_at: t.any,
        first_event_at: t.first,
        source: t.source,
      });
    } else {
      changed.push({
        client_id: clientId,
        last_connected_at: t.connected,
        last_disconnected_at: t.disconnected,
        last_event_at: t.any,
        first_event_at: t.first,
      });
    }
  }
  // Not named (prepared) statements, unlike INSERT_EVENTS_SQL: the refresh
  // looks up each client's connections, and a cached generic plan made while
  // `connection` was analysed empty (e.g. autovacuum right after a TRUNCATE)
  // scans the whole table for every client until the next analyze (the
  // benchmark hit it: ingest crawled for a minute). Planned per batch it
  // costs little and follows the table's real size.
  if (changed.length > 0) {
    const inserted = await client.query<{ client_id: string }>(REFRESH_CLIENT_STATE_SQL, [
      JSON.stringify(changed),
      receivedAt,
      config.versionResetWindowMs,
    ]);
    for (const r of inserted.rows) seenFirst.add(r.client_id);
  }
  if (touched.length > 0) {
    // Named: it looks nothing up by table size, so one plan fits every batch.
    const inserted = await client.query<{ client_id: string }>({
      name: "ingest_touch_client_state",
      text: TOUCH_CLIENT_STATE_SQL,
      values: [JSON.stringify(touched), receivedAt],
    });
    for (const r of inserted.rows) seenFirst.add(r.client_id);
  }
  return { touched: [...times.keys()], seenFirst };
}

/**
 * Stores a batch. Nothing is acknowledged that was not committed: the caller
 * answers only after this resolves, and a failure rolls everything back.
 */
export async function storeBatch(
  pool: pg.Pool,
  accepted: readonly AcceptedItem[],
  rejected: readonly RejectedItem[],
  receivedAt: Date,
  config: PresenceConfig,
  /** Fewer only to measure what the rollups cost (bench/suites/ingest.ts). */
  rollups: Rollups = ALL_ROLLUPS,
): Promise<StoreResult> {
  const client = await pool.connect();
  // A checked-out client whose server dies emits 'error' besides failing its
  // query; without a listener that would crash the process.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const clientIds = [...new Set(accepted.map((a) => a.event.clientId))];
    let fresh: AcceptedItem[] = [];
    let before: RollupsBefore | null = null;
    if (accepted.length > 0) {
      // In-batch copies are dropped here: the statement joins rows to their
      // inserted ids by dedupe key, so each key must occur once.
      const seen = new Set<string>();
      const unique = accepted.filter((a) => !seen.has(a.dedupeKey) && seen.add(a.dedupeKey));
      const locked = await client.query<{ shard: number }>(LOCK_BATCH_SQL, [clientIds]);
      // The rollups: what the batch may change, as it is before the batch.
      before = await rollupsBefore(
        client,
        unique,
        clientIds,
        rollups,
        config.versionResetWindowMs,
        locked.rows[0]!.shard,
      );
      const duplicates = await client.query<{ dedupe_key: string }>({
        // Named: prepared once per connection, so PostgreSQL stops planning
        // this statement for every batch (about 7% of its CPU per event).
        name: "ingest_insert_events",
        text: INSERT_EVENTS_SQL,
        values: [eventRowsJson(unique), receivedAt],
      });
      if (duplicates.rows.length === 0) fresh = unique;
      else {
        const already = new Set(duplicates.rows.map((r) => r.dedupe_key));
        fresh = unique.filter((a) => !already.has(a.dedupeKey));
      }
    }
    const refreshed =
      fresh.length > 0
        ? await refreshClientState(client, fresh, receivedAt, config)
        : { touched: [], seenFirst: new Set<string>() };
    const touchedClients = refreshed.touched;
    await rollupsAfter(client, before, fresh, fresh.length < accepted.length, refreshed.seenFirst);
    if (rejected.length > 0) {
      await client.query(INSERT_QUARANTINE_SQL, [
        JSON.stringify(rejected.map((r) => ({ topic: r.topic, reason: r.error, raw: r.rawText }))),
        receivedAt,
      ]);
    }
    if (touchedClients.length > 0) {
      await client.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", [
        CHANGES_CHANNEL,
        notifyPayloads(touchedClients),
      ]);
    }
    await client.query("COMMIT");
    return { inserted: fresh.length, duplicates: accepted.length - fresh.length, touchedClients };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** NOTIFY payloads are capped at 8000 bytes: lists are split into chunks below that. */
const MAX_NOTIFY_BYTES = 7000;
/** Past this many chunks a batch changed so much that listeners resync everything. */
const MAX_NOTIFY_CHUNKS = 8;

/**
 * The notifications for one committed batch: the changed client IDs in a few
 * chunks (still per batch, never per event), or one "resync" when too many.
 */
export function notifyPayloads(clientIds: readonly string[]): string[] {
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const id of clientIds) {
    const size = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (bytes + size > MAX_NOTIFY_BYTES - 20 && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1]!.push(id);
    bytes += size;
  }
  if (chunks.length > MAX_NOTIFY_CHUNKS)
    return [JSON.stringify({ clientIds: null, count: clientIds.length })];
  return chunks.map((ids) => JSON.stringify({ clientIds: ids }));
}
