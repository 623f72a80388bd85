// Reads of the stored incidents: the API's list and detail, and the
// functions other domains (alerts) call.
import "server-only";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import { networkOf } from "./network";
import type {
  IncidentClientsQuery,
  IncidentDetail,
  IncidentItem,
  ListIncidentsQuery,
} from "./schemas";

const LIVE = `i.merged_into IS NULL AND i.retracted_at IS NULL`;
const DEFAULT_SPAN_MS = 7 * 24 * 3_600_000;

interface IncidentRow {
  id: string;
  started_at: Date;
  ended_at: Date | null;
  affected_clients: number;
  reconnected_clients: number;
  reasons: Record<string, number>;
  merged_into: string | null;
  retracted_at: Date | null;
}

const COLUMNS = `i.id, i.started_at, i.ended_at, i.affected_clients, i.reconnected_clients, i.reasons,
                 i.merged_into, i.retracted_at`;

function toItem(r: IncidentRow): IncidentItem {
  return {
    id: r.id,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    affectedClients: r.affected_clients,
    reasons: r.reasons,
    reconnectedClients: r.reconnected_clients,
    labels: {},
  };
}

/** Incidents overlapping [from, to] (default: the last 7 days), newest first. */
export async function listIncidents(
  query: ListIncidentsQuery,
  now = Date.now(),
): Promise<{ items: IncidentItem[] }> {
  const to = query.to ?? now;
  const from = query.from ?? Math.min(to, now) - DEFAULT_SPAN_MS;
  const params: unknown[] = [new Date(from), new Date(to), query.limit];
  let byClient = "";
  if (query.clientId !== undefined) {
    params.push(query.clientId);
    byClient = `AND i.id IN (SELECT incident_id FROM incident_client WHERE client_id = $4)`;
  }
  const { rows } = await db().pool.query<IncidentRow>(
    `SELECT ${COLUMNS} FROM incident i
      WHERE ${LIVE} AND i.started_at <= $2 AND (i.ended_at IS NULL OR i.ended_at >= $1) ${byClient}
      ORDER BY i.started_at DESC, i.id DESC LIMIT $3`,
    params,
  );
  return { items: rows.map(toItem) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The incident an ID stands for now: merged ones lead to the incident that took their clients. */
async function resolveRow(id: string): Promise<IncidentRow> {
  const notFound = new ServiceError("not_found", `No incident with ID '${id.slice(0, 64)}'.`);
  if (!UUID.test(id)) throw notFound;
  let current = id;
  // Merges chain only as often as late events join incidents; a handful of hops at most.
  for (let hop = 0; hop < 10; hop += 1) {
    const { rows } = await db().pool.query<IncidentRow>(
      `SELECT ${COLUMNS} FROM incident i WHERE i.id = $1`,
      [current],
    );
    const row = rows[0];
    if (row === undefined) throw notFound;
    if (row.retracted_at !== null) {
      throw new ServiceError(
        "not_found",
        `Incident '${id}' was withdrawn: late events showed its disconnects did not meet the thresholds.`,
      );
    }
    if (row.merged_into === null) return row;
    current = row.merged_into;
  }
  throw notFound;
}

function encodeClientCursor(clientId: string): string {
  return Buffer.from(JSON.stringify({ after: clientId })).toString("base64url");
}

function decodeClientCursor(text: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    const after = (value as { after?: unknown } | null)?.after;
    if (
      typeof after === "string" &&
      after.length > 0 &&
      Buffer.byteLength(after, "utf8") <= 128 &&
      !after.includes("\0")
    ) {
      return after;
    }
  } catch {
    // Falls through to the one error below.
  }
  throw new ServiceError("invalid_query", "cursor: not a cursor returned by this API");
}

interface ClientRow {
  client_id: string;
  disconnected_at: Date;
  disconnect_reason: string | null;
  principal_identifier: string | null;
  ip_address: string | null;
  reconnected_at: Date | null;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** One incident with a page of its clients and what they share. */
export async function getIncident(
  id: string,
  query: IncidentClientsQuery,
): Promise<IncidentDetail> {
  const after = query.cursor === undefined ? null : decodeClientCursor(query.cursor);
  const row = await resolveRow(id);
  const pool = db().pool;
  const [page, principals, addresses, recovery] = await Promise.all([
    pool.query<ClientRow>(
      `SELECT client_id, disconnected_at, disconnect_reason, principal_identifier, ip_address, reconnected_at
         FROM incident_client WHERE incident_id = $1 AND ($2::text IS NULL OR client_id > $2)
        ORDER BY client_id LIMIT $3`,
      [row.id, after, query.limit + 1],
    ),
    pool.query<{ principal_identifier: string | null; n: number }>(
      `SELECT principal_identifier, count(*)::int AS n FROM incident_client WHERE incident_id = $1
        GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10`,
      [row.id],
    ),
    pool.query<{ ip_address: string | null; n: number }>(
      `SELECT ip_address, count(*)::int AS n FROM incident_client WHERE incident_id = $1 GROUP BY 1`,
      [row.id],
    ),
    pool.query<{ n: number; median: number | null; p90: number | null; max: number | null }>(
      `SELECT count(reconnected_at)::int AS n,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY d) AS p90, max(d) AS max
         FROM (SELECT greatest(0, extract(epoch FROM reconnected_at - disconnected_at) * 1000) AS d,
                      reconnected_at
                 FROM incident_client WHERE incident_id = $1 AND reconnected_at IS NOT NULL) r`,
      [row.id],
    ),
  ]);
  const rows = page.rows.slice(0, query.limit);
  const networks = new Map<string | null, number>();
  for (const a of addresses.rows) {
    const network = networkOf(a.ip_address);
    networks.set(network, (networks.get(network) ?? 0) + a.n);
  }
  const r = recovery.rows[0];
  const asSeconds = (v: number | null | undefined) => (v == null ? null : seconds(Number(v)));
  return {
    ...toItem(row),
    requestedId: id,
    clients: rows.map((c) => c.client_id),
    clientDetails: rows.map((c) => ({
      clientId: c.client_id,
      disconnectedAt: c.disconnected_at.toISOString(),
      disconnectReason: c.disconnect_reason,
      principalIdentifier: c.principal_identifier,
      ipAddress: c.ip_address,
      reconnectedAt: c.reconnected_at?.toISOString() ?? null,
      recoverySeconds:
        c.reconnected_at === null
          ? null
          : seconds(Math.max(0, c.reconnected_at.getTime() - c.disconnected_at.getTime())),
    })),
    nextCursor:
      page.rows.length > query.limit && rows.length > 0
        ? encodeClientCursor((rows.at(-1) as ClientRow).client_id)
        : null,
    principals: principals.rows.map((p) => ({
      principalIdentifier: p.principal_identifier,
      clients: p.n,
    })),
    networks: [...networks.entries()]
      .map(([network, clients]) => ({ network, clients }))
      .sort((a, b) => b.clients - a.clients || String(a.network).localeCompare(String(b.network)))
      .slice(0, 10),
    recovery: {
      reconnectedClients: r?.n ?? 0,
      medianSeconds: asSeconds(r?.median),
      p90Seconds: asSeconds(r?.p90),
      maxSeconds: asSeconds(r?.max),
    },
  };
}

/** Live incidents that have not ended yet (GET /metrics: fleet_incidents_open). */
export async function countOpenIncidents(): Promise<number> {
  const { rows } = await db().pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM incident i WHERE ${LIVE} AND i.ended_at IS NULL`,
  );
  return rows[0]?.n ?? 0;
}
