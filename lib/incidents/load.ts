// The database's answers to the detector's questions (detect.ts), each the
// SQL twin of the in-memory reference (reference.ts); job.test.ts holds
// them to it.
import "server-only";
import type pg from "pg";
import Cursor from "pg-cursor";
import type { DisconnectPoint } from "./detect";
import { CURRENT_JOIN_SQL, INFERRED_END_SQL } from "../clients/inferred-end";
import { fleetMemberSql } from "../clients/infrastructure";
import { sql } from "../db/sql";

type Queryable = Pick<pg.PoolClient, "query">;

/** A disconnect as the connection and incident_client tables hold it. */
export interface PointRow {
  client_id: string;
  session_identifier: string;
  version_number: string;
  conn_time: Date;
  disconnected_at: Date;
  disconnect_reason: string | null;
  principal_identifier: string | null;
  ip_address: string | null;
}

/** Rows per round trip when a load or a write is split up (tests shrink it). */
export const BATCH_ROWS = 20_000;

/**
 * Distinct principals kept for sharing: a fleet may give each device its
 * own, and then sharing would only grow a map as big as the points.
 */
const SHARED_PRINCIPALS = 10_000;

/** One copy of each repeated string: a storm's million points carry a handful of reasons. */
function sharer(limit: number) {
  const seen = new Map<string, string>();
  return (s: string | null): string | null => {
    if (s === null) return null;
    const kept = seen.get(s);
    if (kept !== undefined) return kept;
    if (seen.size < limit) seen.set(s, s);
    return s;
  };
}

/**
 * Timestamps cross the wire as epoch milliseconds (float8), not as Dates:
 * pg's Date parsing and formatting leave several short-lived strings and
 * objects per value, a storm's worth of garbage on every run. The columns
 * are timestamptz(3), so the milliseconds are exact both ways; date_part
 * is float8 (extract's numeric is slower), and rounding makes it exact.
 */
export const msOf = (column: string) => `round(date_part('epoch', ${column}) * 1000)`;
export const tsOf = (ms: string) => `('epoch'::timestamptz + ${ms} * interval '1 millisecond')`;

type PointArray = [
  string,
  string,
  string,
  number,
  number,
  string | null,
  string | null,
  string | null,
];

/**
 * Every real disconnect at or after `from`: a range scan of the
 * disconnected_at index, read through a cursor so that only one batch of
 * pg rows is alive next to the points built from them.
 */
export async function loadDisconnects(
  db: Queryable,
  from: number,
  batchRows = BATCH_ROWS,
): Promise<DisconnectPoint[]> {
  // Fleet members only: the bridge's own client is no device (lib/clients/infrastructure.ts).
  const statement = sql`SELECT client_id, session_identifier, version_number, ${sql.raw(msOf("conn_time"))},
              ${sql.raw(msOf("disconnected_at"))},
              disconnect_reason, principal_identifier, ip_address
         FROM connection WHERE disconnected_at >= ${new Date(from)}
          AND ${fleetMemberSql(sql.raw("client_id"))}`;
  const cursor = db.query(
    new Cursor<PointArray>(statement.text, statement.values, { rowMode: "array" }),
  );
  const reason = sharer(Infinity);
  const principal = sharer(SHARED_PRINCIPALS);
  const points: DisconnectPoint[] = [];
  // No close(): the loop ends on the empty read after the portal completes,
  // and a failed read has already synced the connection.
  for (;;) {
    const rows = await cursor.read(batchRows);
    if (rows.length === 0) return points;
    for (const r of rows) {
      points.push({
        clientId: r[0],
        sessionIdentifier: r[1],
        versionNumber: Number(r[2]),
        connTime: r[3],
        disconnectedAt: r[4],
        reason: reason(r[5]),
        principalIdentifier: principal(r[6]),
        ipAddress: r[7],
      });
    }
  }
}

/** Whether any disconnect lies in [from, to): a burst cannot reach back past a quiet window. */
export async function anyDisconnectBetween(db: Queryable, from: number, to: number) {
  const statement = sql`SELECT 1 FROM connection
   WHERE disconnected_at >= ${new Date(from)} AND disconnected_at < ${new Date(to)}
     AND ${fleetMemberSql(sql.raw("client_id"))} LIMIT 1`;
  const { rows } = await db.query(statement.text, statement.values);
  return rows.length > 0;
}

/**
 * Clients online just before each sample time: drawn spans (as the online
 * chart draws them, lib/stats/online-history.ts) with start < t <= end, of
 * fleet members (as the chart counts them). width_bucket(x, samples) is the
 * number of samples <= x, so a span counts for the samples with index in
 * (bucket(start), bucket(end)]; one pass groups the spans by that pair.
 */
function onlineBeforeSql(samples: readonly number[]) {
  // The sample times sent once: a storm has many.
  const times = samples.map((t) => new Date(t));
  const first = times[0];
  const last = times.at(-1);
  const member = fleetMemberSql(sql.raw("c.client_id"));
  return sql`
WITH sample AS MATERIALIZED (SELECT ${times}::timestamptz[] AS at),
spans AS (
  SELECT c.connected_at AS s, c.disconnected_at AS e
    FROM connection c
   WHERE c.disconnected_at >= ${first} AND c.connected_at IS NOT NULL AND c.connected_at < ${last}
     AND ${member}
  UNION ALL
  SELECT s, e FROM (
    SELECT c.connected_at AS s,
           ${sql.raw(INFERRED_END_SQL)} AS e
      FROM connection c
      ${sql.raw(CURRENT_JOIN_SQL)}
     WHERE c.disconnected_at IS NULL AND c.connected_at IS NOT NULL AND c.connected_at < ${last}
       AND ${member}
  ) unclosed WHERE e IS NULL OR e >= ${first}
)
SELECT width_bucket(s, sample.at) AS sk,
       CASE WHEN e IS NOT NULL THEN width_bucket(e, sample.at) END AS ek,
       count(*)::int AS n
  FROM spans CROSS JOIN sample GROUP BY 1, 2`;
}

export async function loadOnlineBefore(
  db: Queryable,
  samples: readonly number[],
): Promise<Map<number, number>> {
  const sorted = [...new Set(samples)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (sorted.length === 0) return out;
  const statement = onlineBeforeSql(sorted);
  const { rows } = await db.query<{ sk: number; ek: number | null; n: number }>(
    statement.text,
    statement.values,
  );
  // diff[k] for 1-based sample k; a span adds n to samples sk+1 .. ek.
  const diff = new Array<number>(sorted.length + 2).fill(0);
  for (const { sk, ek, n } of rows) {
    const last = ek ?? sorted.length;
    if (last <= sk) continue;
    diff[sk + 1] = (diff[sk + 1] as number) + n;
    diff[last + 1] = (diff[last + 1] as number) - n;
  }
  let running = 0;
  sorted.forEach((t, i) => {
    running += diff[i + 1] as number;
    out.set(t, running);
  });
  return out;
}

const RECONNECT_SQL = `
SELECT p.i, (SELECT ${msOf("n.connected_at")} FROM connection n
              WHERE n.client_id = p.client_id COLLATE "C" AND n.connected_at IS NOT NULL
                AND n.conn_time >= p.conn_time
                AND (n.conn_time, n.version_number, n.session_identifier)
                  > (p.conn_time, p.version_number, p.session_identifier COLLATE "C")
              ORDER BY n.conn_time, n.version_number, n.session_identifier LIMIT 1) AS at
  FROM (SELECT client_id, ${tsOf("conn_ms")} AS conn_time, version_number, session_identifier, i
          FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::text[])
               WITH ORDINALITY AS u(client_id, conn_ms, version_number, session_identifier, i)) p`;

/**
 * Each point's reconnection: the first later connection (timeline order)
 * that has a connect, in ms by the point's position (NaN: none; read it with
 * reconnectedAt). Asked in batches: one query for a storm's million points
 * would hold four million-entry parameter arrays and a million result rows
 * at once.
 */
export async function loadReconnects(
  db: Queryable,
  points: readonly DisconnectPoint[],
  batchRows = BATCH_ROWS,
): Promise<Float64Array> {
  const out = new Float64Array(points.length).fill(NaN);
  for (let start = 0; start < points.length; start += batchRows) {
    const batch = points.slice(start, start + batchRows);
    const { rows } = await db.query<[string, number | null]>({
      text: RECONNECT_SQL,
      values: [
        batch.map((p) => p.clientId),
        batch.map((p) => p.connTime),
        batch.map((p) => p.versionNumber),
        batch.map((p) => p.sessionIdentifier),
      ],
      rowMode: "array",
    });
    for (const [i, at] of rows) if (at !== null) out[start + Number(i) - 1] = at;
  }
  return out;
}

/** A loadReconnects answer for the point at `index`. */
export function reconnectedAt(reconnects: Float64Array, index: number): number | null {
  const at = reconnects[index] as number;
  return Number.isNaN(at) ? null : at;
}

export function pointFromRow(r: PointRow): DisconnectPoint {
  return {
    clientId: r.client_id,
    sessionIdentifier: r.session_identifier,
    versionNumber: Number(r.version_number),
    connTime: r.conn_time.getTime(),
    disconnectedAt: r.disconnected_at.getTime(),
    reason: r.disconnect_reason,
    principalIdentifier: r.principal_identifier,
    ipAddress: r.ip_address,
  };
}
