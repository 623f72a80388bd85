// npm start: the whole demo on embedded defaults, one command, one Ctrl-C.
// PostgreSQL (embedded unless DATABASE_URL), migrations, the web app, and —
// unless MQTT_URL points at a real broker — an AWS-style broker with a
// simulated fleet, and the bridge that feeds the app.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { upsertOperator } from "../lib/auth/operators";
import { migrate } from "../lib/db/migrate";
import { startDemoMqtt } from "./start-mqtt";
import { APP_NODE_ARGS, NEXT_BIN } from "../lib/next-process";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const stops: (() => Promise<void>)[] = [];
let stopping = false;

function log(message: string) {
  console.log(`[start] ${message}`);
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log("stopping…");
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => console.error("[start] stop failed:", error));
  }
  log("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (child.exitCode !== null) throw new Error("the web app exited during start-up");
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the web app did not become healthy in 120 s");
}

/** The embedded PostgreSQL in a detached child (see embedded-pg-process.ts). */
async function startDatabaseProcess(dataDir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/embedded-pg-process.ts", dataDir],
    {
      detached: true,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  stops.push(async () => {
    if (child.exitCode !== null) return;
    child.send("stop");
    await waitForExit(child);
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url?: string }) =>
      m.url ? resolve(m.url) : reject(new Error("no url")),
    );
    child.once("exit", (code) => reject(new Error(`the embedded PostgreSQL exited (${code})`)));
  });
}

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    log("DATABASE_URL is not set: starting the embedded PostgreSQL in .data/pg");
    databaseUrl = await startDatabaseProcess(".data/pg");
  }
  const result = await migrate(databaseUrl);
  log(`database ready (${result.applied.length} migrations applied)`);

  // The demo's operator login, printed below (npm run user:add manages real accounts).
  process.env.DATABASE_URL = databaseUrl;
  const adminName = process.env.ADMIN_USERNAME ?? "admin";
  const adminPassword = process.env.ADMIN_PASSWORD ?? randomBytes(12).toString("base64url");
  await upsertOperator({ username: adminName, password: adminPassword, role: "admin" });

  const ingestToken = process.env.INGEST_TOKEN ?? randomBytes(18).toString("base64url");
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    INGEST_TOKEN: ingestToken,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (!dev && !existsSync(".next/BUILD_ID")) {
    log("no production build yet: running next build (about a minute)…");
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env });
    if (build.status !== 0) throw new Error("next build failed");
  }
  // Detached: Ctrl-C reaches only this process, which stops the app after the bridge flushed.
  const app = spawn(
    process.execPath,
    [...APP_NODE_ARGS, NEXT_BIN, dev ? "dev" : "start", "-H", host, "-p", String(port)],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env,
      detached: true,
    },
  );
  stops.push(async () => {
    app.kill("SIGTERM");
    await waitForExit(app);
  });
  app.once("exit", (code) => {
    if (!stopping) {
      console.error(`[start] the web app exited (${code}); stopping everything`);
      void shutdown(1);
    }
  });
  const url = `http://${host}:${port}`;
  await waitForHealth(url, app);

  const mqtt = await startDemoMqtt({
    ingestUrl: process.env.INGEST_URL ?? `${url}/api/ingest`,
    ingestToken: ingestToken.split(",")[0]!,
    log,
  });
  stops.push(mqtt.stop);
  log(`ready: open ${url} and log in as '${adminName}' with password '${adminPassword}'`);
  log(
    `ingest token for your own curl tests: ${ingestToken.split(",")[0]}  (Ctrl-C stops everything)`,
  );
}

main().catch((error: unknown) => {
  console.error("[start] failed:", error);
  void shutdown(1);
});
