import { db } from "../db/client";
import { sql } from "../db/sql";
import { requireClient } from "./get";
import type { FailuresQuery, FailuresView } from "./schemas";

interface FailureRow {
  event_id: string;
  failed_at: Date;
  reason: string | null;
  principal_identifier: string | null;
  ip_address: string | null;
  total: number;
}

/** GET /api/clients/{clientId}/failures: refused connection attempts, newest first. */
export async function listFailures(clientId: string, query: FailuresQuery): Promise<FailuresView> {
  await requireClient(clientId);
  const statement = sql`SELECT f.event_id::text AS event_id, f.failed_at, f.reason,
            f.principal_identifier, f.ip_address, count(*) OVER ()::int AS total
       FROM connect_failure f
      WHERE f.client_id = ${clientId}
      ORDER BY f.failed_at DESC, f.event_id DESC
      LIMIT ${query.limit}`;
  const result = await db().pool.query<FailureRow>(statement.text, statement.values);
  // The window count runs before LIMIT: the total of all attempts, in the same query.
  const total = result.rows[0]?.total ?? 0;
  return {
    items: result.rows.map((r) => ({
      id: r.event_id,
      failedAt: r.failed_at.toISOString(),
      reason: r.reason,
      principalIdentifier: r.principal_identifier,
      ipAddress: r.ip_address,
    })),
    total,
  };
}
