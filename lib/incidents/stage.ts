// The detected clients of a run, staged in a temporary table so that the
// database compares them with the stored ones (persist.ts): the stored
// clients of a storm's incident are a million rows that need not come into JS.
import "server-only";
import type pg from "pg";
import type { DetectedIncident } from "./detect";
import { tsOf } from "./load";

type Queryable = Pick<pg.PoolClient, "query">;

/** The detected clients, `k` the incident's position in `detected`. */
const STAGE_TABLE = `CREATE TEMP TABLE IF NOT EXISTS incident_client_new (
  k int NOT NULL,
  client_id text COLLATE "C" NOT NULL,
  session_identifier text COLLATE "C" NOT NULL,
  version_number bigint NOT NULL,
  conn_time timestamptz(3) NOT NULL,
  disconnected_at timestamptz(3) NOT NULL,
  disconnect_reason text,
  principal_identifier text,
  ip_address text,
  reconnected_at timestamptz(3),
  PRIMARY KEY (k, client_id)
)`;

/** A stored row `s` that holds exactly what the staged row `n` does. */
export const SAME_ROW = `(s.session_identifier, s.version_number, s.conn_time, s.disconnected_at,
  s.disconnect_reason, s.principal_identifier, s.ip_address, s.reconnected_at)
  IS NOT DISTINCT FROM (n.session_identifier, n.version_number, n.conn_time, n.disconnected_at,
  n.disconnect_reason, n.principal_identifier, n.ip_address, n.reconnected_at)`;

/** Fills incident_client_new with `detected`'s clients, batchRows per statement. */
export async function stageClients(
  db: Queryable,
  detected: readonly DetectedIncident[],
  batchRows: number,
): Promise<void> {
  // Kept for the session and emptied per run: no catalog churn on every run.
  await db.query(STAGE_TABLE);
  await db.query(`TRUNCATE incident_client_new`);
  for (const [k, incident] of detected.entries()) {
    for (let start = 0; start < incident.clients.length; start += batchRows) {
      const c = incident.clients.slice(start, start + batchRows);
      await db.query(
        `INSERT INTO incident_client_new
         SELECT $1::int, c, s, v, ${tsOf("ct")}, ${tsOf("dt")}, r, p, ip, ${tsOf("rt")}
           FROM unnest($2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[],
             $7::text[], $8::text[], $9::text[], $10::float8[]) AS u(c, s, v, ct, dt, r, p, ip, rt)`,
        [
          k,
          c.map((x) => x.clientId),
          c.map((x) => x.sessionIdentifier),
          c.map((x) => x.versionNumber),
          c.map((x) => x.connTime),
          c.map((x) => x.disconnectedAt),
          c.map((x) => x.reason),
          c.map((x) => x.principalIdentifier),
          c.map((x) => x.ipAddress),
          c.map((x) => x.reconnectedAt),
        ],
      );
    }
  }
  await db.query(`ANALYZE incident_client_new`);
}

export interface Overlap {
  /** Clients a detected incident (by position) shares with each stored one (by ID). */
  shared: Map<number, Map<string, number>>;
  /** Of those, the ones whose stored row is already what was detected. */
  same: Map<number, Map<string, number>>;
  /** Each stored incident's client count. */
  stored: Map<string, number>;
}

export async function overlap(db: Queryable, ids: readonly string[]): Promise<Overlap> {
  const out: Overlap = { shared: new Map(), same: new Map(), stored: new Map() };
  if (ids.length === 0) return out;
  const pairs = await db.query<{ k: number; id: string; shared: number; same: number }>(
    `SELECT n.k, s.incident_id AS id, count(*)::int AS shared,
            count(*) FILTER (WHERE ${SAME_ROW})::int AS same
       FROM incident_client_new n
       JOIN incident_client s ON s.client_id = n.client_id
      WHERE s.incident_id = ANY($1::uuid[])
      GROUP BY n.k, s.incident_id`,
    [ids],
  );
  for (const { k, id, shared, same } of pairs.rows) {
    out.shared.set(k, (out.shared.get(k) ?? new Map<string, number>()).set(id, shared));
    out.same.set(k, (out.same.get(k) ?? new Map<string, number>()).set(id, same));
  }
  const counts = await db.query<{ id: string; n: number }>(
    `SELECT incident_id AS id, count(*)::int AS n FROM incident_client
      WHERE incident_id = ANY($1::uuid[]) GROUP BY incident_id`,
    [ids],
  );
  for (const { id, n } of counts.rows) out.stored.set(id, n);
  return out;
}
