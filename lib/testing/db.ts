import { db } from "../db/client";

const TABLES = [
  "lifecycle_event",
  "connection",
  "client_state",
  "subscription_state",
  "connect_failure",
  "quarantined_event",
];

/** Empties every data table (not the migrations record). */
export async function resetDatabase(): Promise<void> {
  await db().pool.query(`TRUNCATE ${TABLES.join(", ")} RESTART IDENTITY`);
}
