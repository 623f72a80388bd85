// The reads behind one stream notification: the changed clients in one query.
import { clientColumnsSql, toClientView, type ClientRow } from "../clients/client-row";
import { fleetMemberSql } from "../clients/infrastructure";
import type { ClientView } from "../clients/schemas";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql } from "../db/sql";

/** The current view of each listed fleet client that exists (order not guaranteed). */
export async function clientsByIds(
  clientIds: readonly string[],
  now = new Date(),
): Promise<ClientView[]> {
  if (clientIds.length === 0) return [];
  const config = presenceConfig();
  const query = sql`SELECT ${clientColumnsSql(now, config)}
       FROM client_state cs WHERE cs.client_id = ANY(${clientIds}::text[])
        AND ${fleetMemberSql(sql.raw("cs.client_id"))}`;
  const result = await db().pool.query<ClientRow>(query.text, query.values);
  return result.rows.map((row) => toClientView(row, now.getTime(), config));
}
