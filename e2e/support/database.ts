import { DATA_TABLES, truncateRetrying, withClient } from "../../test/support/db";

export const E2E_TOKEN = "e2e-token";
export const E2E_GRACE_SECONDS = 3;

export { createScratchDatabase } from "../../test/support/scratch-database";

/** Runs statements against the app's database (seeding, resetting). */
export { withClient as withDatabase };

export async function resetData(url: string): Promise<void> {
  await withClient(url, (c) =>
    truncateRetrying((sql) => c.query(sql), `TRUNCATE ${DATA_TABLES.join(", ")} RESTART IDENTITY`),
  );
}
