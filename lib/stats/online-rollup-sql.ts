// The statements of the online chart's rollup (online-rollup.ts). A span is
// a connection's online interval [s, e) with ends as the timeline draws them
// (the rule of online-history.ts); it adds one to `starts` of the first
// minute instant at or after s and one to `ends` of the first at or after e
// ('infinity' while open). Keys travel between statements as epoch minutes.
import { sql, type Sql } from "../db/sql";
import { CURRENT_JOIN_SQL, INFERRED_END_SQL } from "../clients/inferred-end";

/** Serialises rebuilds (exclusive) against ingest batches maintaining the rollup (shared). */
export const ROLLUP_LOCK = 0x6f6e_6c6e; // "onln"

/**
 * CTEs ending in `span_keys(sm, em, n)`: how many spans of the candidate
 * connections start at minute sm and end at minute em (null: open). `cands`
 * must yield connection rows of fleet clients; `st.likes` are the
 * infrastructure patterns the rollup was built with (no state row: no rows).
 */
function spanKeyCtes(cands: Sql, currentJoin: Sql = sql.raw(CURRENT_JOIN_SQL)): Sql {
  return sql`
st AS (SELECT infrastructure_likes AS likes FROM online_rollup_state WHERE id = 1),
${cands},
spans AS (
  SELECT connected_at AS s, disconnected_at AS e FROM cands
   WHERE connected_at IS NOT NULL AND disconnected_at > connected_at
  UNION ALL
  SELECT s, e FROM (
    SELECT c.connected_at AS s,
           ${sql.raw(INFERRED_END_SQL)} AS e
      FROM cands c
      ${currentJoin}
     WHERE c.disconnected_at IS NULL AND c.connected_at IS NOT NULL
  ) unclosed WHERE e IS NULL OR e > s
),
span_keys AS (
  SELECT ceil(extract(epoch FROM s) / 60)::bigint AS sm,
         ceil(extract(epoch FROM e) / 60)::bigint AS em,
         count(*)::int AS n
    FROM spans GROUP BY 1, 2
)`;
}

/**
 * CURRENT_JOIN_SQL for a batch's few candidates: one probe of the client's
 * state row each. As a plain join, statistics that saw hardly any client
 * online made the planner hash every online client's row for each batch.
 */
const CURRENT_PROBE = sql`LEFT JOIN LATERAL (
        SELECT cur.client_id FROM client_state cur
         WHERE cur.client_id = c.client_id AND cur.session_identifier = c.session_identifier
           AND cur.version_number = c.version_number AND (cur.disconnected_at IS NULL) IS TRUE
        OFFSET 0) cur ON true`;

/**
 * The connections whose span a batch can change: those it names (`keys`: a
 * relation of client_id, session_identifier, version_number) and every
 * unclosed connection of their clients (its end depends on the next
 * connection and on which one is current). A closed connection the batch
 * does not name keeps [connected_at, disconnected_at): it is left out before
 * and after.
 */
const batchCandidates = (keys: Sql) => sql`
k AS (
  SELECT DISTINCT x.client_id, x.session_identifier, x.version_number
    FROM ${keys} x, st
   WHERE NOT (x.client_id LIKE ANY(st.likes))
),
cands AS (
  -- LATERAL: index probes per client and key, never a scan of every open
  -- connection, whatever the planner guesses of the batch's size. The
  -- open test is kept out of the index conditions: statistics taken while
  -- hardly any connection was open (after a mass disconnect, or on a young
  -- table) made the planner walk the whole disconnected_at IS NULL range of
  -- connection_disconnected_at_connected_at_idx for every client as the
  -- fleet reconnected. By client, the cost follows that client's history.
  SELECT c.client_id, c.session_identifier, c.version_number, c.connected_at, c.disconnected_at, c.conn_time
    FROM (SELECT DISTINCT client_id FROM k) ids CROSS JOIN LATERAL (
      SELECT * FROM connection c
       WHERE c.client_id = ids.client_id AND (c.disconnected_at IS NULL) IS TRUE OFFSET 0) c
  UNION
  SELECT c.client_id, c.session_identifier, c.version_number, c.connected_at, c.disconnected_at, c.conn_time
    FROM k CROSS JOIN LATERAL (
      SELECT * FROM connection c WHERE c.client_id = k.client_id
         AND c.session_identifier = k.session_identifier AND c.version_number = k.version_number OFFSET 0) c
)`;

const ALL_CANDIDATES = sql`
cands AS (
  SELECT c.client_id, c.session_identifier, c.version_number, c.connected_at, c.disconnected_at, c.conn_time
    FROM connection c, st WHERE NOT (c.client_id LIKE ANY(st.likes))
)`;

/**
 * Before a batch, in its statement (lib/ingest/rollups.ts): CTE `span_keys`,
 * the span keys of its candidate connections as they are now (`keys` as
 * batchCandidates), and `new_clients(n)`, how many of `clientIds` are fleet
 * clients without a client_state row yet: each gets one from this batch, so
 * the fleet's total grows by this much when the batch commits. Without the
 * state row (the rollup not built) both are empty or zero.
 */
export const onlineBeforeCtes = (keys: Sql, clientIds: readonly string[]): Sql => sql`
${spanKeyCtes(batchCandidates(keys), CURRENT_PROBE)},
${newClientsCte(clientIds)}`;

/**
 * Before a batch without connect or disconnect events: its spans cannot
 * change, only the fleet's total (CTE `new_clients` as onlineBeforeCtes).
 */
export const onlineNewClientsCtes = (clientIds: readonly string[]): Sql => sql`
st AS (SELECT infrastructure_likes AS likes FROM online_rollup_state WHERE id = 1),
${newClientsCte(clientIds)}`;

const newClientsCte = (clientIds: readonly string[]): Sql => sql`
new_clients AS (
  SELECT count(*)::int AS n
    FROM (SELECT DISTINCT c FROM unnest(${clientIds}::text[]) AS c) ids, st
    LEFT JOIN LATERAL (SELECT 1 AS known FROM client_state cs WHERE cs.client_id = ids.c OFFSET 0) cs ON true
   WHERE NOT (ids.c LIKE ANY(st.likes)) AND cs.known IS NULL
)`;

/**
 * After the batch: adds the candidates' spans now and takes away those from
 * before (`before`: JSON [{sm, em, n}]), minutes in order so that
 * concurrent batches lock shared rows in one order; then adds the new
 * clients to the fleet's total. The total is written last (its WHERE waits
 * for the minutes): every batch locks minute rows first, then the state row,
 * and holds the state row (shared by all) only until its commit.
 */
export const onlineApplyCtes = (keys: Sql, before: string, newClients: number): Sql => sql`
${spanKeyCtes(batchCandidates(keys), CURRENT_PROBE)},
om_before AS (SELECT * FROM jsonb_to_recordset(${before}::jsonb) AS x(sm bigint, em bigint, n int)),
om_d AS (
  SELECT sm AS m, n AS starts, 0 AS ends FROM span_keys
  UNION ALL SELECT em, 0, n FROM span_keys
  UNION ALL SELECT sm, -n, 0 FROM om_before
  UNION ALL SELECT em, 0, -n FROM om_before
), om_g AS (
  SELECT m, sum(starts)::int AS starts, sum(ends)::int AS ends FROM om_d
   GROUP BY m HAVING sum(starts) <> 0 OR sum(ends) <> 0
), om_put AS (
  INSERT INTO online_minute AS o (minute, starts, ends)
  SELECT CASE WHEN m IS NULL THEN 'infinity'::timestamptz ELSE to_timestamp(m * 60) END, starts, ends
    FROM om_g ORDER BY m NULLS LAST
  ON CONFLICT (minute) DO UPDATE SET starts = o.starts + EXCLUDED.starts, ends = o.ends + EXCLUDED.ends
  RETURNING 1
), om_total AS (
  UPDATE online_rollup_state SET clients = clients + ${newClients}::int
   WHERE id = 1 AND ${newClients}::int > 0 AND (SELECT count(*) FROM om_put) >= 0
  RETURNING 1
)`;

/** The whole rollup from the connection table, after the state row is written. */
export const REBUILD_SQL = sql`WITH ${spanKeyCtes(ALL_CANDIDATES)},
d AS (SELECT sm AS m, n AS starts, 0 AS ends FROM span_keys UNION ALL SELECT em, 0, n FROM span_keys),
g AS (SELECT m, sum(starts)::int AS starts, sum(ends)::int AS ends FROM d GROUP BY m)
INSERT INTO online_minute (minute, starts, ends)
SELECT CASE WHEN m IS NULL THEN 'infinity'::timestamptz ELSE to_timestamp(m * 60) END, starts, ends
  FROM g`;

/** The fleet's total from client_state, for a rebuild. */
export const RECOUNT_CLIENTS_SQL = sql`
UPDATE online_rollup_state st SET clients = (
  SELECT count(*) FROM client_state cs WHERE NOT (cs.client_id LIKE ANY(st.infrastructure_likes)))
 WHERE id = 1`;
