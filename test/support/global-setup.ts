// Vitest global setup: one real PostgreSQL for the whole run. With
// DATABASE_URL set, a throw-away database is created on that server (its own
// data is never touched); without it, an embedded server under .data/.
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";
import { withClient } from "./db";
import { createScratchDatabase } from "./scratch-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * What the embedded server logs about statements that ran 10 s or more and
 * lock waits past 1 s, printed as they happen: when a suite hangs in CI,
 * the log names the statement (2026-12-08: a hook's TRUNCATE waited minutes
 * behind a label import whose statement nobody could name).
 */
const DIAGNOSTIC_SETTINGS = [
  "log_min_duration_statement=10s",
  "log_lock_waits=on",
  "log_parameter_max_length=200",
];
const DIAGNOSTIC_LINE =
  /duration: |still waiting|acquired |deadlock detected|Process holding the lock|Wait queue/;
const MAX_DIAGNOSTIC_LINES = 200;
let diagnosticLines = 0;

function printDiagnostics(chunk: string): void {
  for (const line of chunk.split("\n")) {
    if (!DIAGNOSTIC_LINE.test(line) || diagnosticLines >= MAX_DIAGNOSTIC_LINES) continue;
    diagnosticLines += 1;
    const text = line.length > 2_000 ? `${line.slice(0, 2_000)}...` : line;
    process.stderr.write(`[test postgres] ${text}\n`);
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
let dataDir: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // A data folder per run: two test runs on one machine must not share a server.
    dataDir = `.data/test-pg-${process.pid}`;
    embedded = await startEmbeddedPostgres({
      dataDir,
      database: "postgres",
      settings: DIAGNOSTIC_SETTINGS,
      log: printDiagnostics,
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
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
