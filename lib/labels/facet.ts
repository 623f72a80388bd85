// GET /api/labels/facet?key=site: how the fleet splits by one label key,
// with each value's online share, for the fleet page's facet.
import "server-only";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { statusSql } from "../clients/client-row";
import { fleetMemberSql } from "../clients/infrastructure";
import type { LabelFacet } from "./schemas";

/** The most common values shown: a facet is for reading at a glance, not an export. */
export const FACET_VALUES = 50;

export async function labelFacet(key: string, now = new Date()): Promise<LabelFacet> {
  const config = presenceConfig();
  const q = sql`SELECT l.value,
         count(cs.client_id)::int AS clients,
         count(*) FILTER (WHERE cs.client_id IS NOT NULL AND ${statusSql(now, config)} = 'online')::int AS online,
         count(*) FILTER (WHERE cs.client_id IS NULL)::int AS "neverSeen"
    FROM client_label l LEFT JOIN client_state cs ON cs.client_id = l.client_id
   WHERE l.key = ${key} AND ${fleetMemberSql(sql.raw("l.client_id"))}
   GROUP BY l.value ORDER BY count(*) DESC, l.value LIMIT ${FACET_VALUES}`;
  const result = await db().pool.query<LabelFacet["items"][number]>(q.text, q.values);
  return { key, items: result.rows };
}
