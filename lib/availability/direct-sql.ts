// Availability computed straight from the connections, without the rollup:
// the timeline's ends from lib/clients/connections.ts connectionsSql, their
// union clipped to the observed range. The property test holds it, the
// rollup and lib/presence/availability.ts to one another; it is also the
// check an operator can run by hand when a figure looks wrong.
import "server-only";
import { connectionsSql } from "../clients/connections";
import { sql, type Sql } from "../db/sql";

const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

/** One row: `observed_ms`, `online_ms`, `disconnects` (float8) of `clientId` over `[from, end)`. */
export function directAvailabilitySql(clientId: string, from: Date, end: Date): Sql {
  return sql`
WITH t AS (${connectionsSql({}, sql`c.client_id = ${clientId}`)}
), bounds AS (
  SELECT GREATEST(${from}::timestamptz, min(e.event_at)) AS a, ${end}::timestamptz AS b
    FROM lifecycle_event e WHERE e.client_id = ${clientId}
), iv AS (
  SELECT GREATEST(t.conn_time, bounds.a) AS s, LEAST(COALESCE(t.ended_at, bounds.b), bounds.b) AS e
    FROM t CROSS JOIN bounds
), m AS (
  SELECT s, e, max(e) OVER (ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM iv WHERE e > s
)
SELECT GREATEST(0, ${ms("bounds.b")} - ${ms("bounds.a")}) AS observed_ms,
       CASE WHEN bounds.b > bounds.a THEN COALESCE(
         (SELECT sum(GREATEST(0, ${ms("m.e")} - ${ms("GREATEST(m.s, m.reach)")})) FROM m), 0) ELSE 0 END AS online_ms,
       (SELECT count(*) FROM t WHERE t.disconnected_at >= bounds.a AND t.disconnected_at < bounds.b)::float8
         AS disconnects
  FROM bounds`;
}
