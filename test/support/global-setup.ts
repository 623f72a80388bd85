// Vitest global setup: one real PostgreSQL for the whole run. With
// DATABASE_URL set, a throw-away database is created on that server (its own
// data is never touched); without it, an embedded server under .data/.
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { createScratchDatabase } from "./scratch-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let dataDir: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // A data folder per run: two test runs on one machine must not share a server.
    dataDir = `.data/test-pg-${process.pid}`;
    embedded = await startEmbeddedPostgres({ dataDir, database: "postgres" });
    serverUrl = embedded.url;
  }
  const scratch = await createScratchDatabase(serverUrl, "fleet_test");
  dropDatabase = scratch.drop;
  const databaseUrl = scratch.url;
  await migrate(databaseUrl);
  process.env.TEST_DATABASE_URL = databaseUrl;
  project.provide("databaseUrl", databaseUrl);
}

export async function teardown(): Promise<void> {
  await dropDatabase?.();
  await embedded?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
