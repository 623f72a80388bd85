// How many clients were online at each sample time, from the connection
// table (not from client_state, which only knows the present).
import { db } from "../db/client";
import { HISTORY_RANGES, type OnlineHistory, type OnlineHistoryQuery } from "./schemas";

/**
 * A connection counts at instant t when it started at or before t and had
 * not ended by t. Ends follow the timeline rules: the disconnect, or for a
 * connection that lost its disconnect and is not current, the next
 * connection's time; the current open connection has no end.
 *
 * Rather than testing every connection against every sample (spans × points),
 * each span contributes +1 at the first sample at or after its start and −1
 * at the first sample at or after its end: one pass, then a running sum.
 * $1 from, $2 to, $3 step in seconds.
 */
const DELTAS_SQL = `
WITH closed AS (
  SELECT c.connected_at AS s, c.disconnected_at AS e
    FROM connection c
   WHERE c.disconnected_at > $1 AND c.connected_at IS NOT NULL
     AND c.connected_at <= $2 AND c.disconnected_at > c.connected_at
), unclosed AS (
  SELECT c.connected_at AS s,
         CASE WHEN cs.session_identifier = c.session_identifier AND cs.version_number = c.version_number
              THEN NULL
              ELSE (SELECT n.conn_time FROM connection n
                     WHERE n.client_id = c.client_id
                       AND (n.conn_time, n.version_number, n.session_identifier)
                         > (c.conn_time, c.version_number, c.session_identifier)
                     ORDER BY n.conn_time, n.version_number, n.session_identifier LIMIT 1)
         END AS e
    FROM connection c JOIN client_state cs ON cs.client_id = c.client_id
   WHERE c.disconnected_at IS NULL AND c.connected_at IS NOT NULL AND c.connected_at <= $2
), spans AS (
  SELECT s, e FROM closed
  UNION ALL
  SELECT s, e FROM unclosed WHERE e IS NULL OR (e > $1 AND e > s)
), deltas AS (
  SELECT GREATEST(0, ceil(date_part('epoch', s - $1::timestamptz) / $3))::int AS k, 1 AS d FROM spans
  UNION ALL
  SELECT ceil(date_part('epoch', e - $1::timestamptz) / $3)::int, -1 FROM spans WHERE e <= $2
)
SELECT k, sum(d)::int AS delta FROM deltas GROUP BY k ORDER BY k`;

export async function onlineHistory(query: OnlineHistoryQuery, now = new Date()): Promise<OnlineHistory> {
  const { spanMs, stepMs } = HISTORY_RANGES[query.range];
  const to = now.getTime();
  const from = to - spanMs;
  const steps = Math.round(spanMs / stepMs);
  const result = await db().pool.query<{ k: number; delta: number }>(DELTAS_SQL, [
    new Date(from),
    new Date(to),
    stepMs / 1000,
  ]);
  const deltaAt = new Map(result.rows.map((r) => [r.k, r.delta]));
  const points = [];
  let online = 0;
  for (let k = 0; k <= steps; k += 1) {
    online += deltaAt.get(k) ?? 0;
    points.push({ at: new Date(from + k * stepMs).toISOString(), online });
  }
  return {
    range: query.range,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepSeconds: stepMs / 1000,
    points,
  };
}
