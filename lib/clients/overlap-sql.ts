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
//
// Ingest keeps the rows of the clients each batch touches: from each
// client's few newest connections, read in one index step, when they
// suffice (overlapApplyCtes, in the rollups' statement), else by probes
// per key in a statement of its own (overlapProbeStatement). The rollup's
// rebuild computes every client's from scratch (REBUILD_OVERLAPS_SQL); the
// property tests hold ingest's rows to it after every batch.
import { sql, type Sql } from "../db/sql";

/** Before `(a)` in the connection order of INFERRED_END_SQL. */
const order = (a: string) =>
  sql.raw(`${a}.conn_time, ${a}.version_number, ${a}.session_identifier`);

/** How many of a touched client's newest connections ingest reads first (overlapApplyCtes). */
const TAIL = 4;

/**
 * CTE `name(client_id, conn_time, connected_at, disconnected_at, next_time)`:
 * the connections that relation `scope(client_id, from_time)` names (those
 * of the client starting at from_time or later: their successors are among
 * them), each with its successor's time.
 */
const rowsCte = (name: string, scope: string): Sql => sql`
${sql.raw(name)} AS (
  SELECT c.client_id, c.conn_time, c.connected_at, c.disconnected_at,
         lead(c.conn_time) OVER (PARTITION BY c.client_id ORDER BY ${order("c")}) AS next_time
    FROM ${sql.raw(scope)} f CROSS JOIN LATERAL (
      SELECT * FROM connection c
       WHERE c.client_id = f.client_id AND c.conn_time >= f.from_time OFFSET 0) c
)`;

/**
 * CTE `name(client_id, conn_time, next_time)`: the current connections of
 * relation `current(client_id, session_identifier, version_number)` (client
 * state's keys) that are open and have a successor, probed.
 */
const currentCte = (name: string, current: Sql): Sql => sql`
${sql.raw(name)} AS (
  SELECT * FROM (
    SELECT c.client_id, c.conn_time,
           (SELECT min(n.conn_time) FROM connection n
             WHERE n.client_id = c.client_id AND (${order("n")}) > (${order("c")})) AS next_time
      FROM (${current}) cs
      CROSS JOIN LATERAL (
        SELECT c.client_id, c.conn_time, c.version_number, c.session_identifier FROM connection c
         WHERE c.client_id = cs.client_id AND c.session_identifier = cs.session_identifier
           AND c.version_number = cs.version_number AND (c.disconnected_at IS NULL) IS TRUE OFFSET 0) c
  ) cur WHERE next_time IS NOT NULL
)`;

/** The overlap rows (client_id, kind, x_conn_time, starts_at, ends_at) of a rowsCte and a currentCte. */
const marksFrom = (rows: string, current: string): Sql => sql`
SELECT client_id, 'closed' AS kind, conn_time AS x_conn_time, next_time AS starts_at,
       disconnected_at AS ends_at
  FROM ${sql.raw(rows)} WHERE connected_at IS NOT NULL AND disconnected_at > next_time
UNION ALL
SELECT client_id, 'current', conn_time, next_time, 'infinity'::timestamptz FROM ${sql.raw(current)}`;

/** Element `i` (1-based) of array column `array`, as SQL text. */
const at = (array: string, i: string) => sql.raw(`${array}[${i}]`);

/** `each(i)` for the places i = from..TAIL of the tail arrays (descending: from TAIL down), joined. */
const places = (
  from: number,
  each: (i: number) => string,
  separator: string,
  descending = false,
) => {
  const list = Array.from({ length: TAIL - from + 1 }, (_, k) => from + k);
  return sql.raw((descending ? list.reverse() : list).map(each).join(separator));
};

/**
 * CTEs `ov_drop`, `ov_put`: replace the overlap rows of relation
 * `ov_scope(client_id, from_time)` (its clients' current rows and closed
 * rows from from_time on) by those of relation `ov_new`, writing only the
 * difference. The rows of both steps are disjoint, whatever order
 * PostgreSQL runs the two in (a deletion and an insertion of the same key
 * in one statement are not ordered).
 */
const DIFF_CTES = sql`
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

/**
 * After an ingest batch (lib/ingest/rollups.ts), in its statement: the
 * overlap rows of each client the batch's presence events touched, from the
 * predecessor of its earliest touched connection on (a connection's
 * successor changes only when a connection is added after it or moves: a
 * connect arriving after its disconnect moves it to its connect's time,
 * earlier, or later when its connect is stamped after its disconnect, so
 * a touched connection counts from the earlier of the two), plus its
 * current connection's row. `keys` is a relation of client_id,
 * session_identifier, version_number. Kept while the online rollup is built.
 *
 * A batch mostly touches a client's newest connection or the one before it:
 * one step of the (client_id, conn_time) index reads what that needs, the
 * client's TAIL newest connections, as arrays newest first (ov_c: one row
 * per client, no sort or window over the batch), and its current
 * connection's key from client_state. When their times are all distinct,
 * each connection read but the oldest has its successor just before it
 * (the oldest too when fewer than TAIL were read: that is the whole
 * history). The client is done here (ov_f.fast) when they hold every
 * touched connection, the earliest one's predecessor short of the oldest
 * read (a connection not read may share the oldest's time) or none, and the
 * current connection where its successor is known. The others (ties, a
 * batch reaching further back, a current connection older than those read,
 * a touched connection whose connect is stamped after its disconnect) are
 * left to overlapProbeStatement, run after this one when `ov_slow(keys)`
 * (JSON, as `keys`) names any: per key probes, as the rebuild's.
 */
export const overlapApplyCtes = (keys: Sql): Sql => sql`
ov_c AS (
  SELECT k.client_id, k.keys, cs.cur_key, r.t, r.ca, r.d, r.kt, cardinality(r.t) AS n
    FROM (
      -- A version has no space: "version session" names one connection.
      SELECT client_id COLLATE "C" AS client_id,
             array_agg(version_number::text || ' ' || session_identifier) AS keys
        FROM ${keys} x
       WHERE EXISTS (SELECT 1 FROM online_rollup_state WHERE id = 1)
       GROUP BY 1) k
    -- LATERAL probes per client, as lib/stats/online-rollup-sql.ts's
    -- candidates: the batch's keys come from JSON, and a plain join planned
    -- on a guess of their number read the whole connection table (a
    -- 1M-device storm's batches slowed as it grew).
    LEFT JOIN LATERAL (
      SELECT cs.version_number::text || ' ' || cs.session_identifier AS cur_key
        FROM client_state cs WHERE cs.client_id = k.client_id OFFSET 0) cs ON true
    CROSS JOIN LATERAL (
      SELECT array_agg(c.conn_time) AS t, array_agg(c.connected_at) AS ca,
             array_agg(c.disconnected_at) AS d,
             array_agg(c.version_number::text || ' ' || c.session_identifier) AS kt
        FROM (SELECT * FROM connection c WHERE c.client_id = k.client_id
               ORDER BY c.conn_time DESC LIMIT ${sql.raw(String(TAIL))}) c) r
),
ov_f AS (
  -- j: the place of the earliest touched connection; cur: the current one's.
  SELECT client_id, t, ca, d, n, j, cur,
         COALESCE(${at("t", "j + 1")}, ${at("t", "j")}) AS from_time
    FROM (
      SELECT *, ${places(2, (i) => `(t[${i}] IS NULL OR t[${i - 1}] > t[${i}])`, " AND ")}
                AND keys <@ kt AND (j <= n - 2 OR n < ${sql.raw(String(TAIL))})
                AND cur IS NOT NULL
                AND NOT COALESCE(${places(1, (i) => `(kt[${i}] = ANY (keys) AND d[${i}] < t[${i}])`, " OR ")}, false)
                AS fast
        FROM (
          SELECT *, CASE ${places(1, (i) => `WHEN kt[${i}] = ANY (keys) THEN ${i}`, " ", true)} END AS j,
                 CASE WHEN array_position(kt, cur_key) < n OR n < ${sql.raw(String(TAIL))}
                      THEN array_position(kt, cur_key) END AS cur
            FROM ov_c OFFSET 0) c OFFSET 0) c
   WHERE fast
),
ov_slow AS (
  SELECT COALESCE(json_agg(json_build_object('client_id', x.client_id,
           'session_identifier', x.session_identifier, 'version_number', x.version_number)), '[]')::text AS keys
    FROM ${keys} x
   WHERE x.client_id COLLATE "C" IN (SELECT client_id FROM ov_c EXCEPT SELECT client_id FROM ov_f)
),
ov_scope AS (SELECT client_id, from_time FROM ov_f),
ov_new AS (
  SELECT DISTINCT * FROM (
    SELECT client_id, 'closed' AS kind, ${at("t", "i")} AS x_conn_time,
           ${at("t", "i - 1")} AS starts_at, ${at("d", "i")} AS ends_at
      FROM ov_f, (VALUES ${places(2, (i) => `(${i})`, ", ")}) p(i)
     WHERE i <= LEAST(j + 1, n) AND ${at("ca", "i")} IS NOT NULL AND ${at("d", "i")} > ${at("t", "i - 1")}
    UNION ALL
    SELECT client_id, 'current', ${at("t", "cur")}, ${at("t", "cur - 1")}, 'infinity'::timestamptz
      FROM ov_f WHERE cur >= 2 AND (${at("d", "cur")} IS NULL) IS TRUE
  ) m
),
${DIFF_CTES}`;

/**
 * The clients overlapApplyCtes left (its `ov_slow` keys, JSON), in a
 * statement of their own: probes per key. Their earliest touched
 * connection's predecessor (placed at its disconnect when that is earlier
 * than its connect, where it may have been before the batch) by a max()
 * step back in the (client_id, conn_time) index, the connections from its time on, the current
 * connection and its successor by a min() step.
 */
export const overlapProbeStatement = (keys: string): Sql => sql`
WITH ov_first AS (
  SELECT DISTINCT ON (k.client_id) k.client_id, c.conn_time, c.version_number, c.session_identifier
    FROM (SELECT DISTINCT client_id, session_identifier, version_number
            FROM jsonb_to_recordset(${keys}::jsonb)
              AS x(client_id text, session_identifier text, version_number bigint)) k
    CROSS JOIN LATERAL (
      SELECT LEAST(c.conn_time, c.disconnected_at) AS conn_time, c.version_number,
             c.session_identifier
        FROM connection c
       WHERE c.client_id = k.client_id AND c.session_identifier = k.session_identifier
         AND c.version_number = k.version_number OFFSET 0) c
   ORDER BY k.client_id, ${order("c")}
),
ov_scope AS (
  SELECT m.client_id,
         COALESCE((SELECT max(p.conn_time) FROM connection p
                    WHERE p.client_id = m.client_id AND (${order("p")}) < (${order("m")})),
                  m.conn_time) AS from_time
    FROM ov_first m
),
${rowsCte("ov_rows", "ov_scope")},
${currentCte(
  "ov_current",
  sql`SELECT f.client_id, cs.session_identifier, cs.version_number
        FROM ov_scope f CROSS JOIN LATERAL (
          SELECT cs.session_identifier, cs.version_number FROM client_state cs
           WHERE cs.client_id = f.client_id OFFSET 0) cs`,
)},
ov_new AS (SELECT DISTINCT * FROM (${marksFrom("ov_rows", "ov_current")}) m),
${DIFF_CTES}
SELECT 1`;

/** Every client's overlap rows, for the rollup's rebuild (after the table is emptied). */
export const REBUILD_OVERLAPS_SQL = sql`
WITH ov_scope AS (SELECT client_id, '-infinity'::timestamptz AS from_time FROM client_state),
${rowsCte("ov_rows", "ov_scope")},
${currentCte("ov_current", sql`SELECT client_id, session_identifier, version_number FROM client_state`)}
INSERT INTO presence_overlap (client_id, kind, x_conn_time, starts_at, ends_at)
SELECT DISTINCT * FROM (${marksFrom("ov_rows", "ov_current")}) m`;
