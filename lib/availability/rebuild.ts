// Rebuilds the availability rollup of every client from its stored
// connections: for a database that had clients before the rollup existed
// (their first events are in client_state; this fills their segments and
// days). Runs beside live ingest: each chunk holds the ingest locks of its
// clients.
import "server-only";
import type pg from "pg";
import { inTransaction } from "../db/transaction";
import { LOCK_CLIENTS_SQL } from "../ingest/store-sql";
import { availabilityRebuildDropSql, availabilityRebuildSql } from "./rollup-sql";
import { rankMarkCte } from "./rank";
import { sql } from "../db/sql";

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
  await inTransaction(pool, async (client) => {
    await client.query(LOCK_CLIENTS_SQL, [clientIds]);
    const drop = availabilityRebuildDropSql(clientIds);
    await client.query(drop.text, drop.values);
    const build = availabilityRebuildSql(clientIds);
    await client.query(build.text, build.values);
    // The ranking's rows of these clients are computed again (rank.ts).
    const mark = sql`WITH ${rankMarkCte(clientIds)} SELECT 1`;
    await client.query(mark.text, mark.values);
  });
}
