import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { ServiceError } from "../errors";
import { clientColumnsSql, toClientView, type ClientRow } from "./client-row";
import { isInfrastructureClient } from "./infrastructure";
import type { ClientView } from "./schemas";

/** GET /api/clients/{clientId}; `infrastructure`: not a fleet member (lib/clients/infrastructure.ts). */
export async function getClient(clientId: string, now = new Date()): Promise<ClientView> {
  const config = presenceConfig();
  const query = sql`SELECT ${clientColumnsSql(now, config)} FROM client_state cs WHERE cs.client_id = ${clientId}`;
  const result = await db().pool.query<ClientRow>(query.text, query.values);
  const row = result.rows[0];
  if (row === undefined)
    throw new ServiceError("not_found", `No client '${clientId}' has been seen.`);
  return {
    ...toClientView(row, now.getTime(), config),
    infrastructure: isInfrastructureClient(clientId),
  };
}

/** Fails with not_found unless the client has been seen. */
export async function requireClient(clientId: string): Promise<void> {
  const found = await db().prisma.clientState.findUnique({
    where: { clientId },
    select: { clientId: true },
  });
  if (found === null) throw new ServiceError("not_found", `No client '${clientId}' has been seen.`);
}
