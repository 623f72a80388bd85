// What other domains (alerts) read of incidents: small references, no pages.
import "server-only";
import { db } from "../db/client";

export interface IncidentRef {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  affectedClients: number;
  reconnectedClients: number;
}

interface RefRow {
  id: string;
  started_at: Date;
  ended_at: Date | null;
  affected_clients: number;
  reconnected_clients: number;
}

const REF_COLUMNS = `i.id, i.started_at, i.ended_at, i.affected_clients, i.reconnected_clients`;

function toRef(r: RefRow): IncidentRef {
  return {
    id: r.id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    affectedClients: r.affected_clients,
    reconnectedClients: r.reconnected_clients,
  };
}

/** clientId → the open incident that contains it (the newest, should a client be in two). */
export async function openIncidentsForClients(
  clientIds: readonly string[],
): Promise<Map<string, IncidentRef>> {
  const out = new Map<string, IncidentRef>();
  if (clientIds.length === 0) return out;
  const { rows } = await db().pool.query<RefRow & { client_id: string }>(
    `SELECT DISTINCT ON (ic.client_id) ic.client_id, ${REF_COLUMNS}
       FROM incident_client ic JOIN incident i ON i.id = ic.incident_id
      WHERE ic.client_id = ANY($1::text[]) AND i.ended_at IS NULL
        AND i.merged_into IS NULL AND i.retracted_at IS NULL
      ORDER BY ic.client_id, i.started_at DESC`,
    [[...new Set(clientIds)]],
  );
  for (const r of rows) out.set(r.client_id, toRef(r));
  return out;
}

/**
 * Live incidents opened, grown, closed or otherwise changed by a detection
 * run after `since`, oldest change first. An incident that late events
 * merged away or withdrew is not listed; resolveIncident follows it.
 */
export async function incidentsChangedSince(since: Date): Promise<IncidentRef[]> {
  const { rows } = await db().pool.query<RefRow>(
    `SELECT ${REF_COLUMNS} FROM incident i
      WHERE i.updated_at > $1 AND i.merged_into IS NULL AND i.retracted_at IS NULL
      ORDER BY i.updated_at, i.id`,
    [since],
  );
  return rows.map(toRef);
}

/** The live incident an ID stands for now (following merges), or null if withdrawn or unknown. */
export async function resolveIncident(id: string): Promise<IncidentRef | null> {
  const { rows } = await db().pool.query<RefRow>(
    `WITH RECURSIVE chain AS (
       SELECT i.*, 0 AS hop FROM incident i WHERE i.id::text = $1
       UNION ALL
       SELECT n.*, c.hop + 1 FROM chain c JOIN incident n ON n.id = c.merged_into WHERE c.hop < 10)
     SELECT ${REF_COLUMNS} FROM chain i
      WHERE i.merged_into IS NULL AND i.retracted_at IS NULL`,
    [id],
  );
  return rows[0] === undefined ? null : toRef(rows[0]);
}
