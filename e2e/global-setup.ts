// Playwright global setup: a scratch database (embedded PostgreSQL when
// DATABASE_URL is unset), migrated, and the built app started on it with a
// 3-second grace period so pending → offline can be watched in a test.
// Relative imports: Playwright's loader does not know the `@/` alias.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { startApp, type AppServer } from "../test/support/app-server";
import { createScratchDatabase, E2E_GRACE_SECONDS, E2E_TOKEN } from "./support/database";

export default async function globalSetup(): Promise<() => Promise<void>> {
  // NEXT_DIST_DIR: a build beside the main one (next.config.mjs and startApp read it too).
  if (!existsSync(path.resolve(process.env.NEXT_DIST_DIR ?? ".next", "BUILD_ID"))) {
    execFileSync(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), "build"], {
      stdio: "inherit",
    });
  }
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // E2E_PG_DIR: a second suite can run beside this one without sharing a data folder.
    embedded = await startEmbeddedPostgres({
      dataDir: process.env.E2E_PG_DIR ?? ".data/e2e-pg",
      database: "postgres",
    });
    serverUrl = embedded.url;
  }
  process.env.E2E_SERVER_URL = serverUrl;
  const scratch = await createScratchDatabase(serverUrl, "fleet_e2e");
  await migrate(scratch.url);
  process.env.E2E_DATABASE_URL = scratch.url;

  let app: AppServer | undefined;
  try {
    app = await startApp({
      databaseUrl: scratch.url,
      // A port of the user's choice is kept; otherwise a free one (see playwright.config.ts).
      port: process.env.E2E_PORT_CHOSEN === "setup" ? undefined : Number(process.env.E2E_PORT),
      env: {
        OFFLINE_GRACE_SECONDS: String(E2E_GRACE_SECONDS),
        INGEST_TOKEN: E2E_TOKEN,
        // Alert receivers of the tests listen on the loopback; evaluate often to watch alerts fire.
        ALERTS_ALLOW_PRIVATE_TARGETS: "1",
        ALERTS_EVAL_INTERVAL_SECONDS: "1",
      },
    });
  } catch (error) {
    await scratch.drop();
    await embedded?.stop();
    throw error;
  }
  process.env.E2E_PORT = String(app.port);
  return async () => {
    await app?.stop();
    await scratch.drop();
    await embedded?.stop();
  };
}
