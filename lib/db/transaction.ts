// One transaction on a connection of its own, for writes that must all land
// or none: committed when the work returns, rolled back when it throws.
import "server-only";
import type pg from "pg";

/** Runs `work` between BEGIN and COMMIT; on an error, rolls back and throws it on. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
