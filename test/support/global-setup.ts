// Vitest global setup: one real PostgreSQL for the whole run. With
// DATABASE_URL set, a throw-away database is created on that server (its own
// data is never touched); without it, an embedded server under .data/.
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { withClient } from "./db";
import { SERVER_LOG_SETTINGS, watchServerLog } from "./postgres-log";
import { createScratchDatabase } from "./scratch-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * The longest any one statement of a test may run. A runaway statement then
 * fails its test with PostgreSQL's "canceling statement due to statement
 * timeout" instead of holding its locks after the test timed out, stalling
 * the hooks of every file after it.
 */
const STATEMENT_TIMEOUT = "60s";

let embedded: EmbeddedDatabase | undefined;
let serverLog: ReturnType<typeof watchServerLog> | undefined;
let dataDir: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // A data folder per run: two test runs on one machine must not share a server.
    dataDir = `.data/test-pg-${process.pid}`;
    const log = watchServerLog({ serverUrl: () => embedded?.url });
    serverLog = log;
    embedded = await startEmbeddedPostgres({
      dataDir,
      database: "postgres",
      settings: SERVER_LOG_SETTINGS,
      log: (chunk) => log.feed(chunk),
    });
    serverUrl = embedded.url;
  }
  const scratch = await createScratchDatabase(serverUrl, "fleet_test");
  dropDatabase = scratch.drop;
  await withClient(serverUrl, (c) =>
    c.query(`ALTER DATABASE "${scratch.name}" SET statement_timeout = '${STATEMENT_TIMEOUT}'`),
  );
  const databaseUrl = scratch.url;
  await migrate(databaseUrl);
  process.env.TEST_DATABASE_URL = databaseUrl;
  project.provide("databaseUrl", databaseUrl);
}

export async function teardown(): Promise<void> {
  await dropDatabase?.();
  await embedded?.stop();
  serverLog?.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
