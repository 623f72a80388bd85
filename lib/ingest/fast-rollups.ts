// The rollups of a batch's in-order clients, by arithmetic. Most events
// arrive in order: a client connects after its last connection closed, or
// its current connection disconnects. For those the statements of
// lib/ingest/rollups.ts would read the client's history and find that
// nothing but the newest connection's span changed; here one read of each
// client's state before the batch decides that, and the changes are written
// from the event's time alone:
//
// - connect at t, the client's newest connection closed before t (or none),
//   the new connection current after the batch (lib/presence/current.ts's
//   rule: its version at least the old one's, or the old one outside the
//   version-reset window): availability does not change (the open
//   connection is the read side's), the online chart gains a span [t, ∞),
//   the client's labels count it online (and seen, if it is new);
// - disconnect at t of the current, open, newest connection [c, ∞): the
//   availability segment [c, t) (merged with a segment ending at c), its
//   time added to the days it covers and one disconnect on t's day, the
//   span's end moved from ∞ to t, the labels' online count less one;
// - a client without connect or disconnect events: only its first
//   appearance counts (the fleet's total, its labels' clients).
//
// A batch may hold two of a client's events, each in order against what
// the first leaves: a disconnect and the next connect (a reconnect), or a
// connect and its disconnect.
//
// Neither case changes a successor of an older connection, so no overlap
// row (lib/clients/overlap-sql.ts) changes. Every other client (more
// events in the batch, an event older than the newest connection, a
// connection that already exists, a version reset) goes through the
// statements of lib/ingest/rollups.ts. lib/ingest/fast-rollups.test.ts holds
// the two to the same tables over random in-order histories.
import { sql, type Sql } from "../db/sql";
import { rankChangedCte } from "../availability/rank";
import { labelCountAddSql } from "../labels/counts-sql";
import type { AcceptedItem } from "./parse";

const DAY = 86_400_000;
const MINUTE = 60_000;

/**
 * Clients settled each way since the process started: how much of ingest
 * the fast path takes (the benchmark and the tests read it).
 */
export const fastPathCounts = { fast: 0, slow: 0 };

/** What the read found of one client before the batch. */
interface StateRow {
  client_id: string;
  /** A fleet client of a built online rollup: the chart and label counters count it. */
  counted: boolean;
  s_session: string | null;
  s_version: string | null;
  s_connected: number | null;
  s_disconnected: number | null;
  /** The latest connect and disconnect event times ever stored for the client. */
  last_connected: number | null;
  last_disconnected: number | null;
  key_known: boolean;
  seg_start: number | null;
  seg_end: number | null;
  labels: [string, string][] | null;
}

/** One connect or disconnect of a fast client, in time order. */
export interface FastStep {
  kind: "connect" | "disconnect";
  at: number;
  dedupeKey: string;
}

/** A client the fast path settles by its presence events and its state before. */
export interface FastClient {
  steps: FastStep[];
  state: StateRow;
}

export interface FastPlan {
  clients: Map<string, FastClient>;
  /** The batch's clients without connect or disconnect events: only a first appearance counts. */
  quiet: string[];
  /** The label counters' shard: the lowest lock bucket of the batch (LOCK_BATCH_SQL). */
  shard: number;
}

/**
 * Epoch milliseconds of a timestamptz column, as float8 arithmetic: the
 * stored times are whole milliseconds, and rounding removes the float's
 * error (far below one). Numeric arithmetic (extract) cost a tenth of the read.
 */
const ms = (column: string) => sql.raw(`round(date_part('epoch', ${column}) * 1000)`);

/**
 * One row per client of the batch with connect or disconnect events: its
 * client_state row, whether its connect's connection exists (`sessions`,
 * `versions`: null without one), its last availability segment (`segs`)
 * and its labels.
 * Planned per batch (not named), like the statements it spares.
 */
const readSql = (
  ids: string[],
  segs: boolean[],
  sessions: (string | null)[],
  versions: (number | null)[],
): Sql => sql`
WITH st AS (SELECT infrastructure_likes AS likes FROM online_rollup_state WHERE id = 1)
SELECT ids.c AS client_id,
       (st.likes IS NOT NULL AND NOT (ids.c LIKE ANY(st.likes))) AS counted,
       cs.session_identifier AS s_session, cs.version_number::text AS s_version,
       ${ms("cs.connected_at")} AS s_connected, ${ms("cs.disconnected_at")} AS s_disconnected,
       ${ms("cs.last_connected_at")} AS last_connected, ${ms("cs.last_disconnected_at")} AS last_disconnected,
       COALESCE(k.known, false) AS key_known,
       ${ms("seg.starts_at")} AS seg_start, ${ms("seg.ends_at")} AS seg_end,
       lab.labels
  FROM unnest(${ids}::text[], ${segs}::bool[], ${sessions}::text[], ${versions}::bigint[])
    AS ids(c, seg, session, version)
  LEFT JOIN st ON true
  LEFT JOIN LATERAL (
    SELECT cs.client_id, cs.session_identifier, cs.version_number, cs.connected_at,
           cs.disconnected_at, cs.last_connected_at, cs.last_disconnected_at
      FROM client_state cs WHERE cs.client_id = ids.c OFFSET 0) cs ON true
  LEFT JOIN LATERAL (
    SELECT true AS known FROM connection c
     WHERE ids.session IS NOT NULL AND c.client_id = ids.c AND c.session_identifier = ids.session
       AND c.version_number = ids.version OFFSET 0) k ON true
  LEFT JOIN LATERAL (
    SELECT s.starts_at, s.ends_at FROM availability_segment s
     WHERE ids.seg AND s.client_id = ids.c
     ORDER BY s.starts_at DESC LIMIT 1) seg ON true
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_array(l.key, l.value)) AS labels FROM client_label l
     WHERE st.likes IS NOT NULL AND l.client_id = ids.c) lab ON true`;

/** A connect or disconnect: the events the rollups follow. */
export const isPresence = (item: AcceptedItem) =>
  item.event.eventType === "connected" || item.event.eventType === "disconnected";

/**
 * The steps of a client's connect and disconnect events when the fast path
 * can settle them, else null. At most two, at most one connect (the read
 * probes one key), each checked against the state the earlier ones leave
 * (two at one time fail: each must be later than the other):
 *
 * - a connect needs the current connection S closed before it (or no
 *   connection at all), S the newest in the order of
 *   lib/clients/inferred-end.ts, its own connection new, and itself
 *   current afterwards (lib/presence/current.ts: among connections within
 *   the version-reset window of the newest, the highest version wins; S
 *   won among those within the window of the old newest, and the new
 *   one's window holds fewer of them);
 * - a disconnect needs to be of S, open and newest, and later than S's start.
 *
 * S is newest when no connection starts after S's connect: it is the latest
 * connect event and no disconnect came later. A connection after S at S's
 * very time would be current instead of S (the higher version, then the
 * greater session wins), so none follows S.
 */
function fastSteps(
  list: readonly AcceptedItem[],
  s: StateRow,
  versionResetWindowMs: number,
): FastStep[] | null {
  if (list.length > 2) return null;
  const items = [...list].sort((a, b) => a.event.timestamp - b.event.timestamp);
  let cur =
    s.s_session === null
      ? null
      : { session: s.s_session, version: s.s_version!, c: s.s_connected, d: s.s_disconnected };
  let lastConnect = s.last_connected;
  let lastDisconnect = s.last_disconnected;
  const steps: FastStep[] = [];
  for (const { event, dedupeKey } of items) {
    const t = event.timestamp;
    if (event.versionNumber === null || event.sessionIdentifier === null) return null;
    const version = String(event.versionNumber);
    if (event.eventType === "connected") {
      if (s.key_known || steps.some((x) => x.kind === "connect")) return null;
      if (cur === null) {
        // No connection at all yet.
        if (lastConnect !== null || lastDisconnect !== null) return null;
      } else {
        if (cur.d === null || cur.c === null || lastConnect !== cur.c) return null;
        const latest = Math.max(lastConnect, lastDisconnect ?? -Infinity);
        if (!(t > latest && t > cur.d)) return null;
        const current = BigInt(version) >= BigInt(cur.version) || latest < t - versionResetWindowMs;
        if (!current) return null;
      }
      cur = { session: event.sessionIdentifier, version, c: t, d: null };
      lastConnect = t;
      steps.push({ kind: "connect", at: t, dedupeKey });
    } else if (event.eventType === "disconnected") {
      if (cur === null || cur.session !== event.sessionIdentifier || cur.version !== version)
        return null;
      if (cur.d !== null || cur.c === null || lastConnect !== cur.c) return null;
      if (lastDisconnect !== null && lastDisconnect > cur.c) return null;
      if (!(t > cur.c)) return null;
      cur = { ...cur, d: t };
      lastDisconnect = t;
      steps.push({ kind: "disconnect", at: t, dedupeKey });
    } else return null;
  }
  return steps;
}

/**
 * Before the batch, after its locks: reads every client's state and sorts
 * them into those the fast path settles and the rest (`slow`).
 */
export async function planFast(
  client: { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> },
  unique: readonly AcceptedItem[],
  clientIds: readonly string[],
  versionResetWindowMs: number,
  shard: number,
): Promise<{ plan: FastPlan; slow: Set<string> }> {
  const presence = new Map<string, AcceptedItem[]>();
  for (const item of unique) {
    if (!isPresence(item)) continue;
    const list = presence.get(item.event.clientId);
    if (list) list.push(item);
    else presence.set(item.event.clientId, [item]);
  }
  const ids = [...presence.keys()];
  const segs: boolean[] = [];
  const sessions: (string | null)[] = [];
  const versions: (number | null)[] = [];
  for (const list of presence.values()) {
    // A connect's key is probed, and the last segment read for a disconnect,
    // only where the fast path can use them (two events at most, one connect).
    const connects = list.filter((i) => i.event.eventType === "connected");
    const one = list.length <= 2 && connects.length === 1 ? connects[0]!.event : undefined;
    segs.push(list.length <= 2 && list.some((i) => i.event.eventType === "disconnected"));
    sessions.push(one?.sessionIdentifier ?? null);
    versions.push(one?.versionNumber ?? null);
  }
  const clients = new Map<string, FastClient>();
  const slow = new Set<string>();
  if (ids.length > 0) {
    const read = readSql(ids, segs, sessions, versions);
    const { rows } = (await client.query(read.text, read.values)) as { rows: StateRow[] };
    for (const s of rows) {
      const steps = fastSteps(presence.get(s.client_id)!, s, versionResetWindowMs);
      if (steps === null) slow.add(s.client_id);
      else clients.set(s.client_id, { steps, state: s });
    }
  }
  const quiet = clientIds.filter((id) => !presence.has(id));
  fastPathCounts.slow += slow.size;
  fastPathCounts.fast += presence.size - slow.size;
  return { plan: { clients, quiet, shard }, slow };
}

/** What the fast clients change, as the rows the apply statement writes. */
export interface FastDeltas {
  segments: { client: string[]; from: number[]; to: number[] };
  /** One row per client and UTC day. */
  days: { client: string[]; day: string[]; onlineMs: number[]; disconnects: number[] };
  /** Online chart spans as lib/ingest/rollups.ts's `spans`: subtracted, so a span added is n = -1. */
  spans: { sm: number; em: number | null; n: number }[];
  /** Fast clients seen for the first time and counted (the fleet's total). */
  newClients: number;
  labels: { key: string[]; value: string[]; clients: number[]; online: number[] };
  /** Quiet clients seen for the first time: counted in SQL (no read knew their labels). */
  quietNew: string[];
}

const isoDay = (t: number) => new Date(Math.floor(t / DAY) * DAY).toISOString().slice(0, 10);

/**
 * The changes of the fast clients whose events were stored (`fresh`): a
 * client whose events were all duplicates changed nothing. `seenFirst`:
 * the clients whose client_state row this batch inserted.
 */
export function fastDeltas(
  plan: FastPlan,
  fresh: readonly AcceptedItem[],
  seenFirst: ReadonlySet<string>,
  rollups: { availability: boolean; online: boolean },
): FastDeltas {
  const stored = new Set<string>();
  for (const f of fresh) stored.add(f.dedupeKey);
  const d: FastDeltas = {
    segments: { client: [], from: [], to: [] },
    days: { client: [], day: [], onlineMs: [], disconnects: [] },
    spans: [],
    newClients: 0,
    labels: { key: [], value: [], clients: [], online: [] },
    quietNew: rollups.online ? plan.quiet.filter((id) => seenFirst.has(id)) : [],
  };
  const labelDelta = new Map<string, [string, string, number, number]>();
  const moveLabels = (s: StateRow, clients: number, online: number) => {
    if (s.labels === null) return;
    for (const [key, value] of s.labels) {
      const k = JSON.stringify([key, value]);
      const row = labelDelta.get(k) ?? [key, value, 0, 0];
      row[2] += clients;
      row[3] += online;
      labelDelta.set(k, row);
    }
  };
  const addDay = (id: string, day: number, onlineMs: number, disconnects: number) => {
    d.days.client.push(id);
    d.days.day.push(isoDay(day));
    d.days.onlineMs.push(onlineMs);
    d.days.disconnects.push(disconnects);
  };
  for (const [id, c] of plan.clients) {
    // Its events duplicates: nothing of them changed (a duplicate of a
    // stored connect or disconnect fails the fast path's conditions, so this
    // is only a safeguard).
    if (!c.steps.every((step) => stored.has(step.dedupeKey))) continue;
    const s = c.state;
    const counted = rollups.online && s.counted;
    const isNew = seenFirst.has(id);
    if (counted && isNew) d.newClients += 1;
    let online = 0;
    // The start of the open connection: the current one's, then the batch's connect.
    let openStart = s.s_connected;
    for (const step of c.steps) {
      if (step.kind === "connect") {
        online += 1;
        openStart = step.at;
        if (counted) d.spans.push({ sm: Math.ceil(step.at / MINUTE), em: null, n: -1 });
        continue;
      }
      online -= 1;
      const start = openStart!;
      if (counted) {
        const sm = Math.ceil(start / MINUTE);
        d.spans.push({ sm, em: null, n: 1 }, { sm, em: Math.ceil(step.at / MINUTE), n: -1 });
      }
      if (!rollups.availability) continue;
      // Joined to a segment ending at its start (never one of the batch's
      // connects: every segment ends before them).
      const merge = s.seg_end === start;
      d.segments.client.push(id);
      d.segments.from.push(merge ? s.seg_start! : start);
      d.segments.to.push(step.at);
      // [start, at) over the UTC days it covers; the disconnect on at's day
      // (the day after the last piece when at is a midnight).
      let day = Math.floor(start / DAY) * DAY;
      for (; day + DAY < step.at; day += DAY) addDay(id, day, day + DAY - Math.max(start, day), 0);
      if (day + DAY === step.at) {
        addDay(id, day, step.at - Math.max(start, day), 0);
        addDay(id, step.at, 0, 1);
      } else addDay(id, day, step.at - Math.max(start, day), 1);
    }
    if (counted) moveLabels(s, isNew ? 1 : 0, online);
  }
  for (const [key, value, clients, online] of labelDelta.values()) {
    if (clients === 0 && online === 0) continue;
    d.labels.key.push(key);
    d.labels.value.push(value);
    d.labels.clients.push(clients);
    d.labels.online.push(online);
  }
  return d;
}

/**
 * The fast clients' writes as one statement. `minutes`: also the chart's
 * minutes (when no statement of lib/ingest/rollups.ts writes them in this
 * batch: one statement per batch locks the shared minute rows, in one
 * order), and the ranking's marks (`earliest`, JSON as rankChangedCte's)
 * when given. The fleet's total comes last, after any minute row the batch
 * writes: this statement runs after the rollups' statement when there is
 * one. The text depends only on the two flags: it is prepared once per
 * connection (it reads nothing by table size, so one plan fits every batch).
 */
export function fastApplySql(
  d: FastDeltas,
  shard: number,
  minutes: boolean,
  earliest: string | null,
): { name: string; text: string; values: unknown[] } {
  const ctes: Sql[] = [
    sql`
fa_st AS (SELECT infrastructure_likes AS likes FROM online_rollup_state WHERE id = 1),
fa_segments AS (
  INSERT INTO availability_segment AS s (client_id, starts_at, ends_at)
  SELECT c, to_timestamp(f / 1000.0), to_timestamp(t / 1000.0)
    FROM unnest(${d.segments.client}::text[], ${d.segments.from}::float8[], ${d.segments.to}::float8[]) AS x(c, f, t)
   ORDER BY c, f
  ON CONFLICT (client_id, starts_at) DO UPDATE SET ends_at = EXCLUDED.ends_at
  RETURNING 1
), fa_days AS (
  INSERT INTO availability_day AS a (client_id, day, online_ms, disconnects)
  SELECT c, d, o, n
    FROM unnest(${d.days.client}::text[], ${d.days.day}::date[], ${d.days.onlineMs}::bigint[],
                ${d.days.disconnects}::int[]) AS x(c, d, o, n)
   ORDER BY c, d
  ON CONFLICT (client_id, day) DO UPDATE SET
    online_ms = a.online_ms + EXCLUDED.online_ms, disconnects = a.disconnects + EXCLUDED.disconnects
  RETURNING 1
), fa_quiet AS (
  -- The quiet clients seen first that the counters count (lib/labels/counts-sql.ts).
  SELECT q.c FROM unnest(${d.quietNew}::text[]) AS q(c), fa_st WHERE NOT (q.c LIKE ANY(fa_st.likes))
), fa_label_delta AS (
  SELECT k AS key, v AS value, sum(c)::int AS clients, sum(o)::int AS online FROM (
    SELECT * FROM unnest(${d.labels.key}::text[], ${d.labels.value}::text[], ${d.labels.clients}::int[],
                         ${d.labels.online}::int[]) AS x(k, v, c, o)
    UNION ALL
    SELECT l.key, l.value, 1, 0 FROM fa_quiet q JOIN client_label l ON l.client_id = q.c) x
   GROUP BY k, v
), fa_labels AS (
  ${labelCountAddSql("fa_label_delta", sql`${shard}::smallint`)}
  RETURNING 1
)`,
  ];
  if (minutes) {
    const g = new Map<number | null, [number, number]>();
    const add = (m: number | null, starts: number, ends: number) => {
      const row = g.get(m) ?? [0, 0];
      row[0] += starts;
      row[1] += ends;
      g.set(m, row);
    };
    for (const s of d.spans) {
      add(s.sm, -s.n, 0);
      add(s.em, 0, -s.n);
    }
    const rows = [...g].filter(([, [a, b]]) => a !== 0 || b !== 0);
    ctes.push(sql`
fa_minutes AS (
  INSERT INTO online_minute AS o (minute, starts, ends)
  SELECT CASE WHEN m IS NULL THEN 'infinity'::timestamptz ELSE to_timestamp(m * 60) END, s, e
    FROM unnest(${rows.map(([m]) => m)}::bigint[], ${rows.map(([, [a]]) => a)}::int[],
                ${rows.map(([, [, b]]) => b)}::int[]) AS x(m, s, e)
   ORDER BY m NULLS LAST
  ON CONFLICT (minute) DO UPDATE SET starts = o.starts + EXCLUDED.starts, ends = o.ends + EXCLUDED.ends
  RETURNING 1
)`);
  }
  const added = sql`(${d.newClients}::int + (SELECT count(*) FROM fa_quiet)::int)`;
  ctes.push(sql`
fa_total AS (
  UPDATE online_rollup_state SET clients = clients + ${added}
   WHERE id = 1 AND ${added} > 0${minutes ? sql` AND (SELECT count(*) FROM fa_minutes) >= 0` : sql``}
  RETURNING 1
)`);
  if (earliest !== null) ctes.push(rankChangedCte(earliest, false));
  const statement = sql`WITH ${sql.join(ctes, ",")} SELECT 1`;
  return {
    name: `ingest_fast_rollups${minutes ? "_m" : ""}${earliest !== null ? "_r" : ""}`,
    text: statement.text,
    values: statement.values,
  };
}
