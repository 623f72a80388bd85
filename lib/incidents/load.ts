// The database's answers to the detector's questions (detect.ts), each the
// SQL twin of the in-memory reference (reference.ts); job.test.ts holds
// them to it.
import "server-only";
import type pg from "pg";
import type { DisconnectPoint } from "./detect";
import { CURRENT_JOIN_SQL, INFERRED_END_SQL } from "../clients/inferred-end";

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

/** Every real disconnect at or after `from`: a range scan of the disconnected_at index. */
export async function loadDisconnects(db: Queryable, from: number): Promise<DisconnectPoint[]> {
  const { rows } = await db.query<PointRow>(
    `SELECT client_id, session_identifier, version_number, conn_time, disconnected_at,
            disconnect_reason, principal_identifier, ip_address
       FROM connection WHERE disconnected_at >= $1`,
    [new Date(from)],
  );
  return rows.map(pointFromRow);
}

/** Whether any disconnect lies in [from, to): a burst cannot reach back past a quiet window. */
export async function anyDisconnectBetween(db: Queryable, from: number, to: number) {
  const { rows } = await db.query(
    `SELECT 1 FROM connection WHERE disconnected_at >= $1 AND disconnected_at < $2 LIMIT 1`,
    [new Date(from), new Date(to)],
  );
  return rows.length > 0;
}

/**
 * Clients online just before each sample time: drawn spans (as the online
 * chart draws them, lib/stats/online-history.ts) with start < t <= end.
 * width_bucket(x, samples) is the number of samples <= x, so a span counts
 * for the samples with index in (bucket(start), bucket(end)]; one pass
 * groups the spans by that pair.
 */
const ONLINE_BEFORE_SQL = `
WITH spans AS (
  SELECT c.connected_at AS s, c.disconnected_at AS e
    FROM connection c
   WHERE c.disconnected_at >= $2 AND c.connected_at IS NOT NULL AND c.connected_at < $3
  UNION ALL
  SELECT s, e FROM (
    SELECT c.connected_at AS s,
           ${INFERRED_END_SQL} AS e
      FROM connection c
      ${CURRENT_JOIN_SQL}
     WHERE c.disconnected_at IS NULL AND c.connected_at IS NOT NULL AND c.connected_at < $3
  ) unclosed WHERE e IS NULL OR e >= $2
)
SELECT width_bucket(s, $1::timestamptz[]) AS sk,
       CASE WHEN e IS NOT NULL THEN width_bucket(e, $1::timestamptz[]) END AS ek,
       count(*)::int AS n
  FROM spans GROUP BY 1, 2`;

export async function loadOnlineBefore(
  db: Queryable,
  samples: readonly number[],
): Promise<Map<number, number>> {
  const sorted = [...new Set(samples)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (sorted.length === 0) return out;
  const { rows } = await db.query<{ sk: number; ek: number | null; n: number }>(ONLINE_BEFORE_SQL, [
    sorted.map((t) => new Date(t)),
    new Date(sorted[0] as number),
    new Date(sorted.at(-1) as number),
  ]);
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

/** Each point's reconnection: the first later connection (timeline order) that has a connect. */
export async function loadReconnects(
  db: Queryable,
  points: readonly DisconnectPoint[],
): Promise<Map<DisconnectPoint, number | null>> {
  const out = new Map<DisconnectPoint, number | null>();
  if (points.length === 0) return out;
  const { rows } = await db.query<{ i: string; at: Date | null }>(
    `SELECT p.i, (SELECT n.connected_at FROM connection n
                   WHERE n.client_id = p.client_id COLLATE "C" AND n.connected_at IS NOT NULL
                     AND n.conn_time >= p.conn_time
                     AND (n.conn_time, n.version_number, n.session_identifier)
                       > (p.conn_time, p.version_number, p.session_identifier COLLATE "C")
                   ORDER BY n.conn_time, n.version_number, n.session_identifier LIMIT 1) AS at
       FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::text[])
            WITH ORDINALITY AS p(client_id, conn_time, version_number, session_identifier, i)`,
    [
      points.map((p) => p.clientId),
      points.map((p) => new Date(p.connTime)),
      points.map((p) => p.versionNumber),
      points.map((p) => p.sessionIdentifier),
    ],
  );
  for (const r of rows) {
    out.set(points[Number(r.i) - 1] as DisconnectPoint, r.at === null ? null : r.at.getTime());
  }
  return out;
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
