import pg from "pg";
import { DATA_TABLES } from "../../lib/testing/db";

export const E2E_TOKEN = "e2e-token";
export const E2E_GRACE_SECONDS = 3;

export { createScratchDatabase } from "../../lib/testing/scratch-database";

/** Runs statements against the app's database (seeding, resetting). */
export async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function resetData(url: string): Promise<void> {
  await withDatabase(url, (c) =>
    c.query(`TRUNCATE ${DATA_TABLES.join(", ")} RESTART IDENTITY`),
  );
}
