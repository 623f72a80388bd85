// Every test file talks to the scratch database of the global setup (none
// for unit tests: TESTS=unit starts no database).
import { afterAll, inject } from "vitest";

const databaseUrl = inject("databaseUrl");
if (databaseUrl !== undefined) process.env.DATABASE_URL = databaseUrl;
process.env.INGEST_TOKEN ??= "test-token,rotated-token";

afterAll(async () => {
  // Close the process-wide pool (lib/db/client.ts) so the worker can exit.
  const holder = globalThis as unknown as { fleetDatabase?: { close(): Promise<void> } };
  const database = holder.fleetDatabase;
  holder.fleetDatabase = undefined;
  await database?.close();
});
