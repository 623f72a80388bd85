// Fleet counts without a scan of client_state: the total kept by ingest in
// online_rollup_state, `online` as the rollup's open spans (the 'infinity'
// row: one per client whose current connection is open), `pending` read
// live from the recent disconnects (so pending turns offline with no event),
// offline as the rest, `neverSeen` from the maintained candidates
// (lib/clients/never-seen.ts). Used for the unfiltered fleet; the property test
// holds it to countClients' scan (lib/clients/list.ts).
import "server-only";
import { msInterval, pendingBoundSql, statusSql } from "../clients/client-row";
import { fleetMemberSql } from "../clients/infrastructure";
import { neverSeenCountSql } from "../clients/never-seen";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import type { PresenceConfig } from "../presence/types";
import type { Counts } from "../clients/schemas";
import type { LabelFilter } from "../../contract/labels";
import { labelFilterSql } from "../labels/filter-sql";
import { labelTotalsSql } from "../labels/counts-sql";
import { rollupLikes } from "./online-rollup";

/**
 * The counts no counter keeps, read live for the clients `member` admits:
 * `pending` (it turns offline with no event) and `flapping`, from the few
 * recent disconnects.
 */
function liveCountsSql(now: Date, config: PresenceConfig, member: (column: string) => Sql): Sql {
  return sql`(SELECT count(*)::int FROM client_state cs
             WHERE ${pendingBoundSql(now, config)} AND ${member("cs.client_id")}
               AND ${statusSql(now, config)} = 'pending') AS pending,
           (SELECT count(*)::int FROM (
              SELECT c.client_id FROM connection c
               WHERE c.disconnected_at > ${now}::timestamptz - ${msInterval(config.flapWindowMs)}
                 AND ${member("c.client_id")}
               GROUP BY c.client_id HAVING count(*) >= ${config.flapThreshold}::int) f) AS flapping`;
}

/** The fleet's counts at `now`, or null when the rollup is not built for this process's globs. */
export async function countsFromRollup(now: Date, config: PresenceConfig): Promise<Counts | null> {
  const member = (column: string) => fleetMemberSql(sql.raw(column));
  const q = sql`
    WITH st AS (SELECT clients FROM online_rollup_state
                 WHERE id = 1 AND infrastructure_likes = ${rollupLikes()}::text[])
    SELECT (SELECT clients FROM st) AS total,
           COALESCE((SELECT ends FROM online_minute WHERE minute = 'infinity'), 0) AS online,
           ${liveCountsSql(now, config, member)},
           ${neverSeenCountSql()} AS "neverSeen"
     WHERE EXISTS (SELECT 1 FROM st)`;
  const { rows } = await db().pool.query<Omit<Counts, "offline">>(q.text, q.values);
  const row = rows[0];
  if (row === undefined) return null;
  return { ...row, offline: row.total - row.online - row.pending };
}

/**
 * The counts of the clients carrying one label, at `now`: `total` and
 * `online` from the label counters (lib/labels/counts-sql.ts), the rest read
 * live as countsFromRollup does; null when the counters are not kept for
 * this process's infrastructure globs. lib/labels/counts.test.ts holds it to
 * countClients' scan.
 */
export async function countsFromLabelCounters(
  label: LabelFilter,
  now: Date,
  config: PresenceConfig,
): Promise<Counts | null> {
  const member = (column: string) =>
    sql`${fleetMemberSql(sql.raw(column))} AND ${labelFilterSql(sql.raw(column), [label])}`;
  const q = sql`
    WITH t AS (${labelTotalsSql(label.key, label.value, rollupLikes())})
    SELECT t.total, t.online,
           ${liveCountsSql(now, config, member)},
           ${neverSeenCountSql({ label: [label] })} AS "neverSeen"
      FROM t`;
  const { rows } = await db().pool.query<Omit<Counts, "offline">>(q.text, q.values);
  const row = rows[0];
  if (row === undefined) return null;
  return { ...row, offline: row.total - row.online - row.pending };
}
