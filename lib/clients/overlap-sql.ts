// Where one client may have two connections covering the same instant
// (table presence_overlap, migration 20261209100000_presence_overlap). The
// online rollup counts connection spans; the fleet at a past moment counts
// clients (lib/clients/as-of-rollup.ts). The two differ only at an instant
// where a client has two covering spans A before B (the order of
// INFERRED_END_SQL). Then A's successor N starts no later than B, so by T,
// and A covers T in one of two ways:
//
// - A is closed and its disconnect comes after T, so after N's start:
//   kind 'closed', [N's start, A's disconnect);
// - A is the client's current open connection: kind 'current',
//   [N's start, infinity).
//
// (An unclosed A that is not current ends at N's start, before T.) The rows
// are a superset: the reader recounts the clients they name exactly.
import { sql, type Sql } from "../db/sql";

/** Before `(a)` in the connection order of INFERRED_END_SQL. */
const order = (a: string) =>
  sql.raw(`${a}.conn_time, ${a}.version_number, ${a}.session_identifier`);

/**
 * CTE `ov_marks(client_id, kind, x_conn_time, starts_at, ends_at)`: the
 * overlap rows of the connections that relation `ov_scope(client_id,
 * from_time)` names (those of the client starting at from_time or later:
 * their successors are among them), and of each scope client's current
 * connection.
 */
const MARKS_CTES = sql`
ov_rows AS (
  SELECT c.client_id, c.conn_time, c.connected_at, c.disconnected_at,
         lead(c.conn_time) OVER (PARTITION BY c.client_id ORDER BY ${order("c")}) AS next_time
    FROM ov_scope f CROSS JOIN LATERAL (
      SELECT * FROM connection c
       WHERE c.client_id = f.client_id AND c.conn_time >= f.from_time OFFSET 0) c
),
ov_current AS (
  SELECT * FROM (
    SELECT c.client_id, c.conn_time,
           (SELECT min(n.conn_time) FROM connection n
             WHERE n.client_id = c.client_id AND (${order("n")}) > (${order("c")})) AS next_time
      FROM ov_scope f
      CROSS JOIN LATERAL (
        SELECT cs.session_identifier, cs.version_number FROM client_state cs
         WHERE cs.client_id = f.client_id OFFSET 0) cs
      CROSS JOIN LATERAL (
        SELECT c.client_id, c.conn_time, c.version_number, c.session_identifier FROM connection c
         WHERE c.client_id = f.client_id AND c.session_identifier = cs.session_identifier
           AND c.version_number = cs.version_number AND (c.disconnected_at IS NULL) IS TRUE OFFSET 0) c
  ) cur WHERE next_time IS NOT NULL
),
ov_marks AS (
  SELECT client_id, 'closed' AS kind, conn_time AS x_conn_time, next_time AS starts_at,
         disconnected_at AS ends_at
    FROM ov_rows WHERE connected_at IS NOT NULL AND disconnected_at > next_time
  UNION ALL
  SELECT client_id, 'current', conn_time, next_time, 'infinity'::timestamptz FROM ov_current
)`;

/**
 * After an ingest batch (lib/ingest/rollups.ts), in its statement: the
 * overlap rows of each client the batch's presence events touched, from the
 * predecessor of its earliest touched connection on (a connection's
 * successor changes only when a connection is added after it or moves: a
 * connect arriving after its disconnect moves it earlier, never later),
 * plus its current connection's row. `keys` is a relation of client_id,
 * session_identifier, version_number. Kept while the online rollup is built.
 */
export const overlapApplyCtes = (keys: Sql): Sql => sql`
ov_first AS (
  -- LATERAL probes per key, as lib/stats/online-rollup-sql.ts's candidates:
  -- the batch's keys come from JSON, and a plain join planned on a guess of
  -- their number read the whole connection table (a 1M-device storm's
  -- batches slowed as it grew).
  SELECT DISTINCT ON (k.client_id) k.client_id, c.conn_time, c.version_number, c.session_identifier
    FROM (SELECT DISTINCT client_id, session_identifier, version_number FROM ${keys} x) k
    CROSS JOIN LATERAL (
      SELECT c.conn_time, c.version_number, c.session_identifier FROM connection c
       WHERE c.client_id = k.client_id AND c.session_identifier = k.session_identifier
         AND c.version_number = k.version_number OFFSET 0) c
   WHERE EXISTS (SELECT 1 FROM online_rollup_state WHERE id = 1)
   ORDER BY k.client_id, ${order("c")}
),
ov_scope AS (
  -- max(): one backward step of the (client_id, conn_time) index from the
  -- newest connection, not a sort of the client's history.
  SELECT m.client_id,
         COALESCE((SELECT max(p.conn_time) FROM connection p
                    WHERE p.client_id = m.client_id AND (${order("p")}) < (${order("m")})),
                  m.conn_time) AS from_time
    FROM ov_first m
),
${MARKS_CTES},
ov_new AS (SELECT DISTINCT * FROM ov_marks),
-- Only the difference: the rows of both steps are disjoint, whatever order
-- PostgreSQL runs the two in (a deletion and an insertion of the same key
-- in one statement are not ordered).
ov_drop AS (
  DELETE FROM presence_overlap o USING ov_scope f
   WHERE o.client_id = f.client_id AND (o.kind = 'current' OR o.x_conn_time >= f.from_time)
     AND NOT EXISTS (SELECT 1 FROM ov_new n WHERE (n.client_id, n.kind, n.x_conn_time, n.starts_at, n.ends_at)
                                              = (o.client_id, o.kind, o.x_conn_time, o.starts_at, o.ends_at))
  RETURNING 1
),
ov_put AS (
  INSERT INTO presence_overlap (client_id, kind, x_conn_time, starts_at, ends_at)
  SELECT * FROM ov_new n
   WHERE NOT EXISTS (SELECT 1 FROM presence_overlap o
                      WHERE (o.client_id, o.kind, o.x_conn_time, o.starts_at, o.ends_at)
                          = (n.client_id, n.kind, n.x_conn_time, n.starts_at, n.ends_at))
  ON CONFLICT DO NOTHING
  RETURNING 1
)`;

/** Every client's overlap rows, for the rollup's rebuild (after the table is emptied). */
export const REBUILD_OVERLAPS_SQL = sql`
WITH ov_scope AS (SELECT client_id, '-infinity'::timestamptz AS from_time FROM client_state),
${MARKS_CTES}
INSERT INTO presence_overlap (client_id, kind, x_conn_time, starts_at, ends_at)
SELECT DISTINCT * FROM ov_marks`;
