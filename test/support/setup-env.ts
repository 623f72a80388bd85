// Every test file talks to the scratch database of the global setup.
import { afterAll, inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.INGEST_TOKEN ??= "test-token,rotated-token";

afterAll(async () => {
  // Close the process-wide pool (lib/db/client.ts) so the worker can exit.
  const holder = globalThis as unknown as { fleetDatabase?: { close(): Promise<void> } };
  const database = holder.fleetDatabase;
  holder.fleetDatabase = undefined;
  await database?.close();
});
