// Writes the incidents detected over a region into incident/incident_client,
// keeping IDs stable across reruns (docs/incidents.md, "Stable IDs"): a
// detected incident takes the ID of the stored one it shares the most clients
// with; a stored one left without a match is merged into the incident that
// took most of its clients, or retracted. Rows are never deleted, so an ID an
// alert has sent out keeps resolving.
import "server-only";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { compareStrings } from "../presence/connections";
import type { DetectedIncident, IncidentClient } from "./detect";
import { pointFromRow, type PointRow } from "./load";

type Queryable = Pick<pg.PoolClient, "query">;

interface StoredRow {
  id: string;
  started_at: Date;
  ended_at: Date | null;
  closes_at: Date;
  last_hot_at: Date;
  burst_end_at: Date;
  reconnected_clients: number;
  reasons: Record<string, number>;
}

interface ClientRow extends PointRow {
  incident_id: string;
  reconnected_at: Date | null;
}

const ms = (d: Date | null) => (d === null ? null : d.getTime());

export function clientFromRow(r: ClientRow): IncidentClient {
  return { ...pointFromRow(r), reconnectedAt: ms(r.reconnected_at) };
}

/** What a rerun compares: everything detected, in one canonical text. */
export function canonical(i: DetectedIncident): string {
  const reasons = Object.entries(i.reasons).sort(([a], [b]) => compareStrings(a, b));
  const clients = [...i.clients].sort((a, b) => compareStrings(a.clientId, b.clientId));
  return JSON.stringify([
    i.startedAt,
    i.endedAt,
    i.closesAt,
    i.lastHotAt,
    i.burstEndAt,
    i.reconnectedClients,
    reasons,
    clients,
  ]);
}

/** The stored live incidents that start at or after `from`, as the detector would return them. */
export async function loadStored(
  db: Queryable,
  from: number,
): Promise<Array<{ id: string; incident: DetectedIncident }>> {
  const { rows } = await db.query<StoredRow>(
    `SELECT id, started_at, ended_at, closes_at, last_hot_at, burst_end_at, reconnected_clients, reasons
       FROM incident
      WHERE merged_into IS NULL AND retracted_at IS NULL AND started_at >= $1
      ORDER BY created_at, started_at, id`,
    [new Date(from)],
  );
  const clients = await db.query<ClientRow>(
    `SELECT * FROM incident_client WHERE incident_id = ANY($1::uuid[]) ORDER BY client_id`,
    [rows.map((r) => r.id)],
  );
  const byIncident = new Map<string, IncidentClient[]>();
  for (const c of clients.rows) {
    const list = byIncident.get(c.incident_id) ?? [];
    list.push(clientFromRow(c));
    byIncident.set(c.incident_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    incident: {
      startedAt: r.started_at.getTime(),
      endedAt: ms(r.ended_at),
      closesAt: r.closes_at.getTime(),
      lastHotAt: r.last_hot_at.getTime(),
      burstEndAt: r.burst_end_at.getTime(),
      reconnectedClients: r.reconnected_clients,
      reasons: r.reasons,
      clients: byIncident.get(r.id) ?? [],
    },
  }));
}

function sharedClients(a: DetectedIncident, b: DetectedIncident): number {
  const ids = new Set(a.clients.map((c) => c.clientId));
  return b.clients.filter((c) => ids.has(c.clientId)).length;
}

/**
 * Replaces the stored live incidents starting at or after `from` with
 * `detected`. Returns the IDs whose rows changed (opened, grown, closed,
 * merged, retracted).
 */
export async function persistIncidents(
  db: Queryable,
  detected: readonly DetectedIncident[],
  from: number,
  now: number,
): Promise<string[]> {
  const stored = await loadStored(db, from);
  const taken = new Set<string>();
  const assigned: Array<{ id: string; incident: DetectedIncident; previous?: DetectedIncident }> =
    [];
  for (const incident of detected) {
    let best: { id: string; incident: DetectedIncident; shared: number } | undefined;
    for (const s of stored) {
      if (taken.has(s.id)) continue;
      const shared = sharedClients(incident, s.incident);
      // Oldest first on ties (stored is in creation order): the first ID handed out survives.
      if (shared > 0 && (best === undefined || shared > best.shared)) best = { ...s, shared };
    }
    if (best === undefined) {
      assigned.push({ id: randomUUID(), incident });
    } else {
      taken.add(best.id);
      assigned.push({ id: best.id, incident, previous: best.incident });
    }
  }

  const changed: string[] = [];
  const at = new Date(now);
  for (const { id, incident, previous } of assigned) {
    if (previous !== undefined && canonical(previous) === canonical(incident)) continue;
    changed.push(id);
    await db.query(
      `INSERT INTO incident (id, started_at, ended_at, closes_at, last_hot_at, burst_end_at,
                             affected_clients, reconnected_clients, reasons, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at,
         closes_at = EXCLUDED.closes_at, last_hot_at = EXCLUDED.last_hot_at,
         burst_end_at = EXCLUDED.burst_end_at, affected_clients = EXCLUDED.affected_clients,
         reconnected_clients = EXCLUDED.reconnected_clients, reasons = EXCLUDED.reasons,
         updated_at = EXCLUDED.updated_at`,
      [
        id,
        new Date(incident.startedAt),
        incident.endedAt === null ? null : new Date(incident.endedAt),
        new Date(incident.closesAt),
        new Date(incident.lastHotAt),
        new Date(incident.burstEndAt),
        incident.clients.length,
        incident.reconnectedClients,
        JSON.stringify(incident.reasons),
        at,
      ],
    );
    await writeClients(db, id, incident.clients, previous?.clients ?? []);
  }

  for (const s of stored) {
    if (taken.has(s.id)) continue;
    changed.push(s.id);
    let heir: { id: string; shared: number } | undefined;
    for (const a of assigned) {
      const shared = sharedClients(a.incident, s.incident);
      if (shared > 0 && (heir === undefined || shared > heir.shared)) heir = { id: a.id, shared };
    }
    await db.query(
      `UPDATE incident SET merged_into = $2, retracted_at = CASE WHEN $2::uuid IS NULL THEN $3::timestamptz END,
              updated_at = $3 WHERE id = $1`,
      [s.id, heir?.id ?? null, at],
    );
    await db.query(`DELETE FROM incident_client WHERE incident_id = $1`, [s.id]);
  }
  return changed;
}

/** One stored client row's content, to tell a changed client from a kept one. */
const rowOf = (c: IncidentClient) =>
  JSON.stringify([
    c.sessionIdentifier,
    c.versionNumber,
    c.connTime,
    c.disconnectedAt,
    c.reason,
    c.principalIdentifier,
    c.ipAddress,
    c.reconnectedAt,
  ]);

/**
 * Brings an incident's stored clients from `before` to `after`: deletes the
 * ones that left, upserts the new and the changed. A storm's incident changes
 * on every run while its clients reconnect; writing only the difference keeps
 * each run's writes to the clients that changed, not the whole list.
 */
async function writeClients(
  db: Queryable,
  id: string,
  after: readonly IncidentClient[],
  before: readonly IncidentClient[],
): Promise<void> {
  const kept = new Map(before.map((c) => [c.clientId, rowOf(c)]));
  const staying = new Set(after.map((c) => c.clientId));
  const gone = before.filter((c) => !staying.has(c.clientId)).map((c) => c.clientId);
  if (gone.length > 0) {
    await db.query(
      `DELETE FROM incident_client WHERE incident_id = $1 AND client_id = ANY($2::text[])`,
      [id, gone],
    );
  }
  const c = after.filter((x) => kept.get(x.clientId) !== rowOf(x));
  if (c.length === 0) return;
  await db.query(
    `INSERT INTO incident_client (incident_id, client_id, session_identifier, version_number,
       conn_time, disconnected_at, disconnect_reason, principal_identifier, ip_address, reconnected_at)
     SELECT $1::uuid, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
       $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT (incident_id, client_id) DO UPDATE SET
       session_identifier = EXCLUDED.session_identifier, version_number = EXCLUDED.version_number,
       conn_time = EXCLUDED.conn_time, disconnected_at = EXCLUDED.disconnected_at,
       disconnect_reason = EXCLUDED.disconnect_reason,
       principal_identifier = EXCLUDED.principal_identifier, ip_address = EXCLUDED.ip_address,
       reconnected_at = EXCLUDED.reconnected_at`,
    [
      id,
      c.map((x) => x.clientId),
      c.map((x) => x.sessionIdentifier),
      c.map((x) => x.versionNumber),
      c.map((x) => new Date(x.connTime)),
      c.map((x) => new Date(x.disconnectedAt)),
      c.map((x) => x.reason),
      c.map((x) => x.principalIdentifier),
      c.map((x) => x.ipAddress),
      c.map((x) => (x.reconnectedAt === null ? null : new Date(x.reconnectedAt))),
    ],
  );
}
