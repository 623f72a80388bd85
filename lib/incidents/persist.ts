// Writes the incidents detected over a region into incident/incident_client,
// keeping IDs stable across reruns (docs/incidents.md, "Stable IDs"): a
// detected incident takes the ID of the stored one it shares the most clients
// with; a stored one left without a match is merged into the incident that
// took most of its clients, or retracted. Rows are never deleted, so an ID an
// alert has sent out keeps resolving.
//
// The stored clients never come into JS: a storm's incident holds a million
// of them and changes on every run while they reconnect. The detected ones
// are staged in a temporary table, and the database counts the clients each
// pair of detected and stored incidents share, tells kept rows from changed
// ones and writes only the difference.
import "server-only";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { compareStrings } from "../presence/connections";
import type { DetectedIncident, IncidentClient } from "./detect";
import { BATCH_ROWS, pointFromRow, type PointRow } from "./load";
import { overlap, SAME_ROW, stageClients, type Overlap } from "./stage";

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

/** The summary fields and reasons: with the clients, what a rerun compares. */
function headerFields(i: Omit<DetectedIncident, "clients">): unknown[] {
  const reasons = Object.entries(i.reasons).sort(([a], [b]) => compareStrings(a, b));
  return [
    i.startedAt,
    i.endedAt,
    i.closesAt,
    i.lastHotAt,
    i.burstEndAt,
    i.reconnectedClients,
    reasons,
  ];
}

const header = (i: Omit<DetectedIncident, "clients">) => JSON.stringify(headerFields(i));

/** What a rerun compares: everything detected, in one canonical text. */
export function canonical(i: DetectedIncident): string {
  const clients = [...i.clients].sort((a, b) => compareStrings(a.clientId, b.clientId));
  return JSON.stringify([...headerFields(i), clients]);
}

type StoredIncident = Omit<DetectedIncident, "clients">;

/** The stored live incidents that start at or after `from`, without their clients. */
async function loadHeaders(
  db: Queryable,
  from: number,
): Promise<Array<{ id: string; incident: StoredIncident }>> {
  const { rows } = await db.query<StoredRow>(
    `SELECT id, started_at, ended_at, closes_at, last_hot_at, burst_end_at, reconnected_clients, reasons
       FROM incident
      WHERE merged_into IS NULL AND retracted_at IS NULL AND started_at >= $1
      ORDER BY created_at, started_at, id`,
    [new Date(from)],
  );
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
    },
  }));
}

/** The stored live incidents that start at or after `from`, as the detector would return them. */
export async function loadStored(
  db: Queryable,
  from: number,
): Promise<Array<{ id: string; incident: DetectedIncident }>> {
  const headers = await loadHeaders(db, from);
  const clients = await db.query<ClientRow>(
    `SELECT * FROM incident_client WHERE incident_id = ANY($1::uuid[]) ORDER BY client_id`,
    [headers.map((r) => r.id)],
  );
  const byIncident = new Map<string, IncidentClient[]>();
  for (const c of clients.rows) {
    const list = byIncident.get(c.incident_id) ?? [];
    list.push(clientFromRow(c));
    byIncident.set(c.incident_id, list);
  }
  return headers.map((h) => ({
    id: h.id,
    incident: { ...h.incident, clients: byIncident.get(h.id) ?? [] },
  }));
}

interface Assigned {
  id: string;
  k: number;
  incident: DetectedIncident;
  previous?: StoredIncident;
}

/**
 * A detected incident takes the stored one it shares the most clients with;
 * the oldest first on ties (stored is in creation order): the first ID
 * handed out survives.
 */
function assignIds(
  detected: readonly DetectedIncident[],
  stored: ReadonlyArray<{ id: string; incident: StoredIncident }>,
  shared: Overlap["shared"],
): { assigned: Assigned[]; taken: Set<string> } {
  const taken = new Set<string>();
  const assigned = detected.map((incident, k): Assigned => {
    let best: { id: string; incident: StoredIncident; shared: number } | undefined;
    for (const s of stored) {
      if (taken.has(s.id)) continue;
      const n = shared.get(k)?.get(s.id) ?? 0;
      if (n > 0 && (best === undefined || n > best.shared)) best = { ...s, shared: n };
    }
    if (best === undefined) return { id: randomUUID(), k, incident };
    taken.add(best.id);
    return { id: best.id, k, incident, previous: best.incident };
  });
  return { assigned, taken };
}

/** Whether the stored incident already holds everything detected. */
function unchanged(a: Assigned, o: Overlap): boolean {
  if (a.previous === undefined) return false;
  const n = a.incident.clients.length;
  // Client IDs are unique on both sides: n identical rows out of n on each side is equality.
  return (
    header(a.previous) === header(a.incident) &&
    o.stored.get(a.id) === n &&
    (o.same.get(a.k)?.get(a.id) ?? 0) === n
  );
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
  batchRows = BATCH_ROWS,
): Promise<string[]> {
  const stored = await loadHeaders(db, from);
  // Most runs on a live fleet detect nothing: they need no staging.
  const staged = detected.length > 0;
  if (staged) await stageClients(db, detected, batchRows);
  const ids = stored.map((s) => s.id);
  const o: Overlap = staged
    ? await overlap(db, ids)
    : { shared: new Map(), same: new Map(), stored: new Map() };
  const { assigned, taken } = assignIds(detected, stored, o.shared);

  const changed: string[] = [];
  const at = new Date(now);
  for (const a of assigned) {
    if (unchanged(a, o)) continue;
    changed.push(a.id);
    await writeIncident(db, a, at);
  }

  for (const s of stored) {
    if (taken.has(s.id)) continue;
    changed.push(s.id);
    let heir: { id: string; shared: number } | undefined;
    for (const a of assigned) {
      const n = o.shared.get(a.k)?.get(s.id) ?? 0;
      if (n > 0 && (heir === undefined || n > heir.shared)) heir = { id: a.id, shared: n };
    }
    await db.query(
      `UPDATE incident SET merged_into = $2, retracted_at = CASE WHEN $2::uuid IS NULL THEN $3::timestamptz END,
              updated_at = $3 WHERE id = $1`,
      [s.id, heir?.id ?? null, at],
    );
    await db.query(`DELETE FROM incident_client WHERE incident_id = $1`, [s.id]);
  }
  if (staged) await db.query(`TRUNCATE incident_client_new`);
  return changed;
}

/**
 * Writes one incident and brings its stored clients to the staged ones:
 * deletes the ones that left, upserts the new and the changed. A storm's
 * incident changes on every run while its clients reconnect; writing only
 * the difference keeps each run's writes to the clients that changed.
 */
async function writeIncident(db: Queryable, { id, k, incident, previous }: Assigned, at: Date) {
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
  if (previous !== undefined) {
    await db.query(
      `DELETE FROM incident_client s WHERE s.incident_id = $1 AND NOT EXISTS
       (SELECT 1 FROM incident_client_new n WHERE n.k = $2 AND n.client_id = s.client_id)`,
      [id, k],
    );
  }
  await db.query(
    `INSERT INTO incident_client (incident_id, client_id, session_identifier, version_number,
       conn_time, disconnected_at, disconnect_reason, principal_identifier, ip_address, reconnected_at)
     SELECT $1::uuid, n.client_id, n.session_identifier, n.version_number, n.conn_time,
            n.disconnected_at, n.disconnect_reason, n.principal_identifier, n.ip_address,
            n.reconnected_at
       FROM incident_client_new n
      WHERE n.k = $2 AND NOT EXISTS (SELECT 1 FROM incident_client s
              WHERE s.incident_id = $1 AND s.client_id = n.client_id AND ${SAME_ROW})
     ON CONFLICT (incident_id, client_id) DO UPDATE SET
       session_identifier = EXCLUDED.session_identifier, version_number = EXCLUDED.version_number,
       conn_time = EXCLUDED.conn_time, disconnected_at = EXCLUDED.disconnected_at,
       disconnect_reason = EXCLUDED.disconnect_reason,
       principal_identifier = EXCLUDED.principal_identifier, ip_address = EXCLUDED.ip_address,
       reconnected_at = EXCLUDED.reconnected_at`,
    [id, k],
  );
}
