import { db } from "../db/client";

/** Every table ingest writes: what a test or a benchmark run empties to start afresh. */
export const DATA_TABLES = [
  "lifecycle_event",
  "connection",
  "client_state",
  "subscription_state",
  "connect_failure",
  "quarantined_event",
] as const;

/** Empties every data table (not the migrations record). */
export async function resetDatabase(): Promise<void> {
  await db().pool.query(`TRUNCATE ${DATA_TABLES.join(", ")} RESTART IDENTITY`);
}
