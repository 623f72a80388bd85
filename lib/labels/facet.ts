// GET /api/labels/facet?key=site: how the fleet splits by one label key,
// with each value's online share, for the fleet page's facet.
import "server-only";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { statusSql } from "../clients/client-row";
import { fleetMemberSql } from "../clients/infrastructure";
import { neverSeenWhereSql } from "../clients/never-seen";
import { rollupMatches } from "../stats/online-rollup";
import type { LabelFacet } from "./schemas";

/** The most common values shown: a facet is for reading at a glance, not an export. */
export const FACET_VALUES = 50;

/**
 * The values of `key` by clients carrying them, seen or not. From the label
 * counters when they are kept for this process's infrastructure globs (at
 * most 64 rows per value, plus the never-seen candidates); `source: "scan"`
 * reads every label of the key instead, the reference the counters are
 * tested against (lib/labels/counts.test.ts).
 */
export async function labelFacet(
  key: string,
  now = new Date(),
  source: "auto" | "scan" = "auto",
): Promise<LabelFacet> {
  const q = source === "auto" && (await rollupMatches()) ? fromCounters(key) : fromScan(key, now);
  const result = await db().pool.query<LabelFacet["items"][number]>(q.text, q.values);
  return { key, items: result.rows };
}

function fromScan(key: string, now: Date): Sql {
  const config = presenceConfig();
  return sql`SELECT l.value,
         count(cs.client_id)::int AS clients,
         count(*) FILTER (WHERE cs.client_id IS NOT NULL AND ${statusSql(now, config)} = 'online')::int AS online,
         count(*) FILTER (WHERE cs.client_id IS NULL)::int AS "neverSeen"
    FROM client_label l LEFT JOIN client_state cs ON cs.client_id = l.client_id
   WHERE l.key = ${key} AND ${fleetMemberSql(sql.raw("l.client_id"))}
   GROUP BY l.value ORDER BY count(*) DESC, l.value LIMIT ${FACET_VALUES}`;
}

/** The counters per value, and the never-seen candidates that still are. */
function fromCounters(key: string): Sql {
  return sql`
    WITH c AS (SELECT value, sum(clients)::int AS clients, sum(online)::int AS online
                 FROM label_count WHERE key = ${key} GROUP BY value),
    n AS (SELECT l.value, count(*)::int AS never
            FROM never_seen_client n JOIN client_label l ON l.client_id = n.client_id AND l.key = ${key}
           WHERE ${neverSeenWhereSql()}
           GROUP BY l.value)
    SELECT value, COALESCE(c.clients, 0) AS clients, COALESCE(c.online, 0) AS online,
           COALESCE(n.never, 0) AS "neverSeen"
      FROM c FULL JOIN n USING (value)
     WHERE COALESCE(c.clients, 0) + COALESCE(n.never, 0) > 0
     ORDER BY COALESCE(c.clients, 0) + COALESCE(n.never, 0) DESC, value LIMIT ${FACET_VALUES}`;
}
