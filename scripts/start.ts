// npm start: the whole demo on embedded defaults, one command, one Ctrl-C.
// PostgreSQL (embedded unless DATABASE_URL), migrations, the web app, and —
// unless MQTT_URL points at a real broker — an AWS-style broker with a
// simulated fleet, and the bridge that feeds the app. The first Ctrl-C stops
// everything in order within STOP_LIMIT_MS; a second one forces it.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { upsertOperator } from "../lib/auth/operators";
import { migrate } from "../lib/db/migrate";
import { startDemoMqtt } from "./start-mqtt";
import { APP_NODE_ARGS, NEXT_BIN } from "../lib/next-process";
import {
  describePortHolder,
  portIsFree,
  signalGroup,
  stopSupervised,
  type Supervised,
} from "./supervisor";

const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
/** The whole ordered stop; past it, whatever still runs is killed. */
const STOP_LIMIT_MS = 9_000;
/** One terminal Ctrl-C may be delivered twice (by npm and the terminal): only a later one forces. */
const SECOND_SIGNAL_AFTER_MS = 500;

let mqttStop: (() => Promise<void>) | undefined;
/** Where npm run demo:outage finds this process. */
const DEMO_PID_FILE = ".data/start.pid";
const children: Supervised[] = [];
let stoppingSince: number | undefined;

/**
 * The simulated fleet's own churn reaches about 20 distinct clients
 * disconnecting per minute in its first minutes (the restless fifth alone
 * ~10), which the default INCIDENT_MIN_CLIENTS (20) would report as an
 * incident. On the demo fleet only, and unless set, the threshold is 60 % of
 * its devices (30 of 50): normal churn stays below it, a broker outage
 * (npm run demo:outage) drops them all. docs/incidents.md explains.
 */
function demoIncidentThreshold(): Record<string, string> {
  if (process.env.MQTT_URL || process.env.INCIDENT_MIN_CLIENTS) return {};
  const devices = Number(process.env.SIMULATED_DEVICES ?? 50);
  return { INCIDENT_MIN_CLIENTS: String(Math.max(20, Math.round(devices * 0.6))) };
}

function log(message: string) {
  console.log(`[start] ${message}`);
}

function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  return Promise.race([work, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
}

/** Kills every child's process group at once and exits: the second Ctrl-C, or a stop past its limit. */
function force(code: number): never {
  for (const s of children) signalGroup(s.child, "SIGKILL");
  log("forced stop: killed every process of the demo");
  process.exit(code);
}

async function shutdown(code: number) {
  if (stoppingSince !== undefined) return;
  stoppingSince = Date.now();
  log("stopping… (Ctrl-C again to force)");
  setTimeout(() => {
    log(`still stopping after ${STOP_LIMIT_MS / 1000} s`);
    force(code || 1);
  }, STOP_LIMIT_MS).unref();
  // The fleet and the bridge first (the bridge flushes into the app), then the app, the database last.
  if (mqttStop) {
    await within(
      4_000,
      mqttStop().catch((e: unknown) => console.error("[start] stop failed:", e)),
    );
  }
  for (const s of [...children].reverse()) await stopSupervised(s, 4_000);
  log(`stopped in ${((Date.now() - stoppingSince) / 1000).toFixed(1)} s`);
  process.exit(code);
}

function onSignal() {
  if (stoppingSince === undefined) void shutdown(0);
  else if (Date.now() - stoppingSince > SECOND_SIGNAL_AFTER_MS) force(130);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

async function waitForHealth(url: string, child: Supervised["child"]): Promise<void> {
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

/** The embedded PostgreSQL in a child of its own group (see embedded-pg-process.ts). */
async function startDatabaseProcess(dataDir: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/embedded-pg-process.ts", dataDir],
    { detached: true, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  children.push({
    name: "the embedded PostgreSQL",
    child,
    stop: () => {
      if (child.connected) child.send("stop");
      else signalGroup(child, "SIGTERM");
    },
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url?: string }) =>
      m.url ? resolve(m.url) : reject(new Error("no url")),
    );
    child.once("exit", (code) => reject(new Error(`the embedded PostgreSQL exited (${code})`)));
  });
}

async function main() {
  if (!(await portIsFree(host, port))) {
    const holder = describePortHolder(port);
    throw new Error(
      `port ${port} on ${host} is already in use${holder ? ` by ${holder}` : ""}. ` +
        `Stop it${holder?.startsWith("pid ") ? ` (kill ${holder.split(" ")[1]})` : ""} or set PORT to another port.`,
    );
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    log("DATABASE_URL is not set: starting the embedded PostgreSQL in .data/pg");
    databaseUrl = await startDatabaseProcess(".data/pg");
  }
  const result = await migrate(databaseUrl);
  log(`database ready (${result.applied.length} migrations applied): DATABASE_URL=${databaseUrl}`);

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
    FLEET_SUPERVISOR_PID: String(process.pid),
    ...demoIncidentThreshold(),
  };
  if (!dev && !existsSync(".next/BUILD_ID")) {
    log("no production build yet: running next build (about a minute)…");
    const build = spawnSync(process.execPath, [NEXT_BIN, "build"], { stdio: "inherit", env });
    if (build.status !== 0) throw new Error("next build failed");
  }
  // A group of its own: Ctrl-C reaches only this process, which stops the app after the bridge flushed.
  const app = spawn(
    process.execPath,
    [...APP_NODE_ARGS, NEXT_BIN, dev ? "dev" : "start", "-H", host, "-p", String(port)],
    { stdio: ["ignore", "inherit", "inherit"], env, detached: true },
  );
  children.push({ name: "the web app", child: app });
  app.once("exit", (code) => {
    if (stoppingSince === undefined) {
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
  mqttStop = mqtt.stop;
  const outage = mqtt.outage;
  if (outage !== undefined) {
    // npm run demo:outage (or kill -USR2 <pid>): the embedded broker stops for
    // DEMO_OUTAGE_SECONDS (20), which the incident detector reports as one incident.
    let inOutage = false;
    process.on("SIGUSR2", () => {
      if (inOutage || stoppingSince !== undefined) return;
      inOutage = true;
      void outage(Number(process.env.DEMO_OUTAGE_SECONDS ?? 20))
        .catch((e: unknown) => log(`broker outage failed: ${(e as Error).message}`))
        .finally(() => (inOutage = false));
    });
    mkdirSync(".data", { recursive: true });
    writeFileSync(DEMO_PID_FILE, String(process.pid));
    process.once("exit", () => rmSync(DEMO_PID_FILE, { force: true }));
  }
  log(`ready: open ${url} and log in as '${adminName}' with password '${adminPassword}'`);
  log(
    `ingest token for your own curl tests: ${ingestToken.split(",")[0]}  (Ctrl-C stops everything)`,
  );
  if (outage !== undefined) {
    log("npm run demo:outage stops the broker for 20 s: watch an incident open on the chart");
  }
}

main().catch((error: unknown) => {
  console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
