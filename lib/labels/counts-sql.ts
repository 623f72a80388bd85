// The label counters (label_count; the migration 20261208100000_label_count
// says why they are exact): per label and shard, the labelled fleet clients
// with a client_state row and how many of them are online.
// Ingest moves them by the difference between a batch's clients before and
// after (lib/ingest/rollups.ts), label writes by the clients' labels taken
// away and put back (lib/labels/store.ts), a rebuild of the online rollup
// recomputes them. Reads: lib/stats/fleet-counts.ts and lib/labels/facet.ts;
// lib/labels/counts.test.ts holds them to the scan.
import { lockBucketSql } from "../ingest/store-sql";
import { sql, type Sql } from "../db/sql";

/** The counters' online: statusSql's 'online' branch (lib/clients/client-row.ts). */
const ONLINE = "(cs.session_identifier IS NOT NULL AND cs.disconnected_at IS NULL)";

/** The infrastructure patterns of the built rollup: no row, nothing is kept. */
const STATE = sql.raw(
  "lc_st AS (SELECT infrastructure_likes AS likes FROM online_rollup_state WHERE id = 1)",
);

/**
 * Adds the rows of `delta` (key, value, clients, online) to the counters of
 * shard `shard` (also the ingest fast path's, lib/ingest/fast-rollups.ts).
 */
export const labelCountAddSql = (delta: string, shard: Sql): Sql => sql`
INSERT INTO label_count AS lc (key, value, shard, clients, online)
SELECT key, value, ${shard}, clients, online FROM ${sql.raw(delta)} ORDER BY key, value
  ON CONFLICT (key, value, shard) DO UPDATE
    SET clients = lc.clients + EXCLUDED.clients, online = lc.online + EXCLUDED.online`;

/** The shard of a transaction holding the lock buckets of `clientIds`: the lowest of them. */
const shardOfSql = (clientIds: Sql): Sql =>
  sql`(SELECT min(${sql.raw(lockBucketSql("c"))}) FROM unnest(${clientIds}::text[]) AS c)`;

/**
 * Before a batch, in its statement: CTE `lc_before(client_id, seen, online)`
 * for the labelled fleet clients among `clientIds`, as they stand now, and
 * `lc_shard(shard)`, the shard the batch writes.
 */
export const labelCountBeforeCtes = (clientIds: readonly string[]): Sql => sql`
${STATE},
lc_before AS (
  SELECT ids.c AS client_id, cs.client_id IS NOT NULL AS seen, COALESCE(cs.online, false) AS online
    FROM (SELECT DISTINCT c FROM unnest(${clientIds}::text[]) AS c) ids CROSS JOIN lc_st
    LEFT JOIN LATERAL (
      SELECT cs.client_id, ${sql.raw(ONLINE)} AS online FROM client_state cs
       WHERE cs.client_id = ids.c OFFSET 0) cs ON true
   WHERE NOT (ids.c LIKE ANY(lc_st.likes))
     AND EXISTS (SELECT 1 FROM client_label l WHERE l.client_id = ids.c)
),
lc_shard AS (SELECT ${shardOfSql(sql`${clientIds}`)} AS shard)`;

/**
 * After the batch: the clients of `before` (JSON of lc_before's rows) whose
 * seen or online changed move their labels' counters in shard `shard`.
 */
export const labelCountApplyCtes = (before: string, shard: number): Sql => sql`
lc_prev AS (
  SELECT * FROM jsonb_to_recordset(${before}::jsonb) AS x(client_id text, seen boolean, online boolean)
), lc_moved AS (
  SELECT p.client_id, cs.client_id IS NOT NULL AS seen, COALESCE(cs.online, false) AS online,
         p.seen AS was_seen, p.online AS was_online
    FROM lc_prev p LEFT JOIN LATERAL (
      SELECT cs.client_id, ${sql.raw(ONLINE)} AS online FROM client_state cs
       WHERE cs.client_id = p.client_id OFFSET 0) cs ON true
), lc_delta AS (
  SELECT l.key, l.value,
         sum(m.seen::int - m.was_seen::int)::int AS clients,
         sum(m.online::int - m.was_online::int)::int AS online
    FROM lc_moved m CROSS JOIN LATERAL (
      SELECT l.key, l.value FROM client_label l WHERE l.client_id = m.client_id OFFSET 0) l
   WHERE (m.seen, m.online) IS DISTINCT FROM (m.was_seen, m.was_online)
   GROUP BY 1, 2
), lc_put AS (
  ${labelCountAddSql("lc_delta", sql`${shard}::smallint`)}
  RETURNING 1
)`;

/**
 * Takes away (`sign` -1) or puts back (+1) what the labels `clientIds` carry
 * now add to the counters: around a label write, whose transaction holds
 * the clients' buckets (LOCK_BATCH_SQL) so that no batch moves them meanwhile.
 */
export function labelCountShiftSql(clientIds: readonly string[], sign: 1 | -1): Sql {
  return sql`WITH ${STATE},
d AS (
  SELECT l.key, l.value,
         ${sign}::int * count(*)::int AS clients,
         ${sign}::int * (count(*) FILTER (WHERE ${sql.raw(ONLINE)}))::int AS online
    FROM (SELECT DISTINCT c FROM unnest(${clientIds}::text[]) AS c) ids CROSS JOIN lc_st
    JOIN client_label l ON l.client_id = ids.c
    JOIN client_state cs ON cs.client_id = ids.c
   WHERE NOT (ids.c LIKE ANY(lc_st.likes))
   GROUP BY 1, 2
)
${labelCountAddSql("d", shardOfSql(sql`${clientIds}`))}`;
}

/**
 * Every counter from client_label and client_state into shard 0, for a
 * rebuild of the online rollup (which holds its lock exclusively: no writer
 * runs meanwhile).
 */
export const REBUILD_LABEL_COUNTS_SQL = sql`
WITH ${STATE}
INSERT INTO label_count (key, value, shard, clients, online)
SELECT l.key, l.value, 0, count(*)::int, (count(*) FILTER (WHERE ${sql.raw(ONLINE)}))::int
  FROM client_label l JOIN client_state cs ON cs.client_id = l.client_id CROSS JOIN lc_st
 WHERE NOT (l.client_id LIKE ANY(lc_st.likes))
 GROUP BY 1, 2`;

/**
 * The counters of one label as `total` and `online`, or no row when they are
 * not kept for `likes` (this process's infrastructure patterns).
 */
export const labelTotalsSql = (key: string, value: string, likes: readonly string[]): Sql => sql`
SELECT COALESCE(sum(lc.clients), 0)::int AS total, COALESCE(sum(lc.online), 0)::int AS online
  FROM label_count lc
 WHERE lc.key = ${key} AND lc.value = ${value}
HAVING EXISTS (SELECT 1 FROM online_rollup_state
                WHERE id = 1 AND infrastructure_likes = ${likes}::text[])`;
