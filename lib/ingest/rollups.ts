// The rollups ingest keeps in each batch's transaction: availability
// (lib/availability/rollup-sql.ts) and the online chart's
// (lib/stats/online-rollup-sql.ts). Each needs the state before the batch
// and corrects after it; both share one statement before the events are
// stored and one after client_state is refreshed, whatever the batch size.
import "server-only";
import type pg from "pg";
import { AVAILABILITY_BEFORE_CTES, availabilityApplyCtes } from "../availability/rollup-sql";
import { sql, type Sql } from "../db/sql";
import { overlapApplyCtes, overlapProbeStatement } from "../clients/overlap-sql";
import { rankChangedCte } from "../availability/rank";
import { labelCountApplyCtes, labelCountBeforeCtes } from "../labels/counts-sql";
import {
  onlineApplyCtes,
  onlineBeforeCtes,
  onlineNewClientsCtes,
} from "../stats/online-rollup-sql";
import type { AcceptedItem } from "./parse";
import { fastApplySql, fastDeltas, isPresence, planFast, type FastPlan } from "./fast-rollups";

/** Which rollups a batch maintains: both, except when a benchmark measures what they cost. */
export interface Rollups {
  availability: boolean;
  /**
   * The online chart's rollup, the label counters (lib/labels/counts-sql.ts)
   * and the overlap rows (lib/clients/overlap-sql.ts), kept once it is built (online_rollup_state).
   */
  online: boolean;
  /**
   * In-order clients settled by arithmetic (lib/ingest/fast-rollups.ts);
   * off only to test that both ways write the same rows.
   */
  fast?: boolean;
}

export const ALL_ROLLUPS: Rollups = { availability: true, online: true };

/** What the statement before the batch found, handed to the one after it. */
export interface RollupsBefore {
  rollups: Rollups;
  /** The batch's connect and disconnect events, as `presenceRows` encodes them. */
  events: string;
  /** JSON [{client_id, t}]: where each client's availability may change. */
  dirty: string;
  /** JSON [{client_id, session_identifier, version_number, old_disc}]. */
  discs: string;
  /** JSON [{sm, em, n}]: the online spans the batch may change, as they were. */
  spans: string;
  newClients: number;
  /** JSON [{client_id, seen, online}]: the batch's labelled clients, as they were. */
  labelled: string;
  /** The label counters' shard the batch writes (lib/labels/counts-sql.ts). */
  labelShard: number;
  /** The clients the fast path settles (null: fast path off). */
  fast: FastPlan | null;
  /** Whether any client is left to the statements below (the fields above are theirs). */
  slow: boolean;
}

function presenceRows(items: readonly AcceptedItem[]): string {
  let out = "[";
  for (const { event } of items) {
    if (event.eventType !== "connected" && event.eventType !== "disconnected") continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify({
      client_id: event.clientId,
      session_identifier: event.sessionIdentifier,
      version_number: event.versionNumber,
      event_type: event.eventType,
      at: event.timestamp,
    })}`;
  }
  return `${out}]`;
}

/** Each client's earliest event of the batch, any type: JSON [{client_id, at}]. */
function earliestEvents(items: readonly AcceptedItem[]): string {
  const earliest = new Map<string, number>();
  for (const { event } of items) {
    const at = earliest.get(event.clientId);
    if (at === undefined || event.timestamp < at) earliest.set(event.clientId, event.timestamp);
  }
  return JSON.stringify([...earliest].map(([client_id, at]) => ({ client_id, at })));
}

/** The batch's presence events as a relation; `at` converted as INSERT_EVENTS_SQL does. */
const eventsRelation = (events: string): Sql => sql`
ev AS (
  SELECT x.client_id, x.session_identifier, x.version_number, x.event_type,
         to_timestamp(x.at / 1000.0) AS at
    FROM jsonb_to_recordset(${events}::jsonb)
      AS x(client_id text, session_identifier text, version_number bigint, event_type text, at float8)
)`;

/** What the statement before a batch would find when it has nothing to read. */
const nothingBefore = (
  rollups: Rollups,
  events: string,
  fast: FastPlan | null,
  slow: boolean,
): RollupsBefore => ({
  rollups,
  events,
  dirty: "[]",
  discs: "[]",
  spans: "[]",
  newClients: 0,
  labelled: "[]",
  labelShard: 0,
  fast,
  slow,
});

/**
 * Before the events are stored (after the batch's locks): each rollup's view
 * of what the batch may change, in one round trip. Planned per batch, not
 * prepared: it looks up each client's connections, and a generic plan made
 * while the tables were small scans them whole once they are not
 * (lib/ingest/store.ts, refreshClientState).
 */
export async function rollupsBefore(
  client: pg.ClientBase,
  all: readonly AcceptedItem[],
  allClientIds: readonly string[],
  rollups: Rollups,
  versionResetWindowMs: number,
  /** The lowest lock bucket the batch holds (LOCK_BATCH_SQL's `shard`). */
  shard: number,
): Promise<RollupsBefore | null> {
  if (!rollups.availability && !rollups.online) return null;
  let fast: FastPlan | null = null;
  let accepted = all;
  let clientIds = allClientIds;
  if (rollups.fast !== false) {
    const planned = await planFast(client, all, allClientIds, versionResetWindowMs, shard);
    fast = planned.plan;
    accepted = all.filter((a) => planned.slow.has(a.event.clientId));
    clientIds = allClientIds.filter((id) => planned.slow.has(id));
    if (clientIds.length === 0) return nothingBefore(rollups, "[]", fast, false);
  }
  const events = presenceRows(accepted);
  // Without connect or disconnect events (subscriptions, failed connects)
  // no availability and no online span can change: only the fleet's total
  // may grow. Planning the whole statement for nothing cost about as much
  // as running it.
  const presence = events !== "[]";
  const availability = rollups.availability && presence;
  const ctes: Sql[] = [];
  if (presence) ctes.push(eventsRelation(events));
  if (availability) ctes.push(AVAILABILITY_BEFORE_CTES);
  if (rollups.online) {
    ctes.push(presence ? onlineBeforeCtes(sql`ev`, clientIds) : onlineNewClientsCtes(clientIds));
    ctes.push(labelCountBeforeCtes(clientIds));
  }
  if (ctes.length === 0) return nothingBefore(rollups, events, fast, true);
  const none = sql.raw("'[]'");
  const statement = sql`WITH ${sql.join(ctes, ",")}
SELECT ${
    availability
      ? sql`(SELECT COALESCE(json_agg(json_build_object('client_id', client_id, 't', t,
                 'old_open', old_open)), '[]')::text
               FROM av_dirty)`
      : none
  } AS dirty, ${
    availability
      ? sql`(SELECT COALESCE(json_agg(json_build_object('client_id', client_id,
                 'session_identifier', session_identifier, 'version_number', version_number,
                 'old_disc', old_disc)), '[]')::text FROM av_discs)`
      : none
  } AS discs, ${
    rollups.online && presence
      ? sql`(SELECT COALESCE(json_agg(json_build_object('sm', sm, 'em', em, 'n', n)), '[]')::text
               FROM span_keys)`
      : none
  } AS spans, ${rollups.online ? sql`(SELECT n FROM new_clients)` : sql.raw("0")} AS new_clients, ${
    rollups.online
      ? sql`(SELECT COALESCE(json_agg(json_build_object('client_id', client_id, 'seen', seen,
                 'online', online)), '[]')::text FROM lc_before)`
      : none
  } AS labelled, ${rollups.online ? sql`(SELECT shard FROM lc_shard)` : sql.raw("0")} AS label_shard`;
  const { rows } = await client.query<{
    dirty: string;
    discs: string;
    spans: string;
    new_clients: number;
    labelled: string;
    label_shard: number;
  }>(statement.text, statement.values);
  const row = rows[0]!;
  return {
    rollups,
    events,
    dirty: row.dirty,
    discs: row.discs,
    spans: row.spans,
    newClients: row.new_clients,
    labelled: row.labelled,
    labelShard: row.label_shard,
    fast,
    slow: true,
  };
}

/**
 * After client_state is refreshed: both rollups corrected in one statement
 * (and a second for the overlap rows of the few clients the first leaves,
 * when there are any). `fresh` are the batch's newly stored events: a
 * client whose presence events were all duplicates changed nothing and is
 * not recomputed.
 */
export async function rollupsAfter(
  client: pg.ClientBase,
  before: RollupsBefore | null,
  fresh: readonly AcceptedItem[],
  duplicates: boolean,
  /** The clients whose client_state row the batch inserted. */
  seenFirst: ReadonlySet<string>,
): Promise<void> {
  if (before === null || fresh.length === 0) return;
  const earliest = before.rollups.availability ? earliestEvents(fresh) : null;
  let spans = before.spans;
  let fast: ReturnType<typeof fastApplySql> | null = null;
  if (before.fast !== null) {
    const deltas = fastDeltas(before.fast, fresh, seenFirst, before.rollups);
    // The shared minute rows and the ranking's marks: in the one statement
    // of the batch that writes them, the one below when any client is left to it.
    const alone = !before.slow;
    fast = fastApplySql(
      deltas,
      before.fast.shard,
      alone && before.rollups.online,
      alone ? earliest : null,
    );
    if (alone) {
      await client.query(fast);
      return;
    }
    if (deltas.spans.length > 0)
      spans = JSON.stringify([...(JSON.parse(spans) as unknown[]), ...deltas.spans]);
  }
  let dirty = before.dirty;
  if (duplicates && dirty !== "[]") {
    const changed = new Set(fresh.filter(isPresence).map((f) => f.event.clientId));
    const rows = JSON.parse(dirty) as { client_id: string }[];
    dirty = JSON.stringify(rows.filter((r) => changed.has(r.client_id)));
  }
  const presence = before.events !== "[]";
  const ctes: Sql[] = [];
  if (before.rollups.availability && dirty !== "[]") {
    ctes.push(
      availabilityApplyCtes(
        sql`SELECT * FROM jsonb_to_recordset(${dirty}::jsonb)
              AS x(client_id text, t timestamptz, old_open timestamptz)`,
        sql`SELECT * FROM jsonb_to_recordset(${before.discs}::jsonb)
              AS x(client_id text, session_identifier text, version_number bigint, old_disc timestamptz)`,
      ),
    );
  }
  const overlap = before.rollups.online && presence;
  if (before.rollups.online && (presence || before.newClients > 0)) {
    ctes.push(eventsRelation(before.events));
    ctes.push(onlineApplyCtes(sql`ev`, spans, before.newClients));
    if (overlap) ctes.push(overlapApplyCtes(sql`ev`));
  }
  if (before.rollups.online && before.labelled !== "[]")
    ctes.push(labelCountApplyCtes(before.labelled, before.labelShard));
  if (earliest !== null) ctes.push(rankChangedCte(earliest, dirty !== "[]"));
  if (ctes.length > 0) {
    // The overlap rows of the clients the statement could not settle from
    // their newest connections (lib/clients/overlap-sql.ts): a second
    // statement, planned only when there are some.
    const statement = sql`WITH ${sql.join(ctes, ",")} SELECT ${
      overlap ? sql.raw("(SELECT keys FROM ov_slow)") : sql.raw("'[]'")
    } AS overlap_slow`;
    const { rows } = await client.query<{ overlap_slow: string }>(statement.text, statement.values);
    const slow = rows[0]!.overlap_slow;
    if (slow !== "[]") {
      const probe = overlapProbeStatement(slow);
      await client.query(probe.text, probe.values);
    }
  }
  // After the minutes: the fleet's total of the fast clients (fastApplySql).
  if (fast !== null) await client.query(fast);
}
