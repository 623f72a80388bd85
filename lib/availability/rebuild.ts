// Rebuilds the availability rollup of every client from its stored
// connections: for a database that had clients before the rollup existed
// (the migration records their first events; this fills their days). Runs
// beside live ingest: each chunk holds the ingest locks of its clients.
import "server-only";
import type pg from "pg";
import { EARLIEST_INSTANT } from "../clients/schemas";
import { LOCK_CLIENTS_SQL } from "../ingest/store-sql";
import { AVAILABILITY_ROLLUP_SQL } from "./rollup-sql";

const CHUNK = 500;

export async function rebuildAvailability(
  pool: pg.Pool,
  onProgress: (done: number) => void = () => {},
): Promise<number> {
  let after = "";
  let done = 0;
  for (;;) {
    const ids = await pool.query<{ client_id: string }>(
      "SELECT client_id FROM client_state WHERE client_id > $1 ORDER BY client_id LIMIT $2",
      [after, CHUNK],
    );
    if (ids.rows.length === 0) return done;
    const clientIds = ids.rows.map((r) => r.client_id);
    await rebuildAvailabilityOf(pool, clientIds);
    done += clientIds.length;
    after = clientIds[clientIds.length - 1]!;
    onProgress(done);
  }
}

/**
 * One chunk of the rebuild, in its own transaction holding the ingest locks
 * of its clients (chunks of disjoint clients may run side by side).
 */
export async function rebuildAvailabilityOf(
  pool: pg.Pool,
  clientIds: readonly string[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(LOCK_CLIENTS_SQL, [clientIds]);
    // Nothing is stored before 2000: from there on is the whole history.
    await client.query(AVAILABILITY_ROLLUP_SQL, [
      JSON.stringify(clientIds.map((client_id) => ({ client_id, dirty_from: EARLIEST_INSTANT }))),
      "[]",
    ]);
    // First events from the stored events, or the connections where retention removed them.
    await client.query(
      `INSERT INTO client_first_event AS f (client_id, first_event_at)
       SELECT c.id, LEAST((SELECT min(e.event_at) FROM lifecycle_event e WHERE e.client_id = c.id),
                          (SELECT min(k.conn_time) FROM connection k WHERE k.client_id = c.id))
         FROM unnest($1::text[]) AS c(id)
        WHERE EXISTS (SELECT 1 FROM lifecycle_event e WHERE e.client_id = c.id)
           OR EXISTS (SELECT 1 FROM connection k WHERE k.client_id = c.id)
       ON CONFLICT (client_id) DO UPDATE SET first_event_at = EXCLUDED.first_event_at`,
      [clientIds],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
