// Test harness for the end-to-end and fault tests: the real app (`next start`
// via test/support/app-server), the embedded broker, the bridge and a
// simulated fleet, plus the exactly-once check against PostgreSQL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startBridge, type Bridge } from "../../lib/bridge";
import type { BridgeOptions } from "../../lib/bridge/config";
import { startLifecycleBroker, type LifecycleBroker } from "../../lib/broker";
import { startFleet, type Fleet } from "../../lib/simulator";
import { waitFor } from "./broker";
import { startApp, type AppServer } from "./app-server";

/** JSON with sorted keys, so a payload and its jsonb copy compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface Stack {
  app: AppServer;
  broker: LifecycleBroker;
  pool: pg.Pool;
  spoolDir: string;
  ingestUrl: string;
  /** Canonical payloads of every event the broker published for clients with the prefix. */
  published: Set<string>;
  /** Canonical payloads stored in lifecycle_event for the prefix (with duplicates, if any). */
  stored(): Promise<string[]>;
  /** Waits until every published event is stored, then checks none is stored twice. */
  expectExactlyOnce(timeoutMs?: number): Promise<{ published: number; stored: number }>;
  /** An in-process bridge from this broker to this app that retries fast, as the fault tests want. */
  startBridge(clientId: string, options?: Partial<BridgeOptions>): Promise<Bridge>;
  /**
   * A small, restless simulated fleet under the prefix, returned once more
   * than 50 of its events are stored: the stream is flowing before a fault
   * test breaks something.
   */
  startFlowingFleet(seed: number): Promise<Fleet>;
  close(): Promise<void>;
}

export async function startStack(opts: {
  databaseUrl: string;
  prefix: string;
  appEnv?: Record<string, string>;
  /** Where the app should find PostgreSQL, if not at databaseUrl (e.g. through a proxy). */
  appDatabaseUrl?: string;
}): Promise<Stack> {
  const published = new Set<string>();
  const app = await startApp({
    databaseUrl: opts.appDatabaseUrl ?? opts.databaseUrl,
    env: opts.appEnv,
  });
  const broker = await startLifecycleBroker({
    onEvent: (m) => {
      if (String(m.payload.clientId).startsWith(opts.prefix)) published.add(canonical(m.payload));
    },
  });
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 });
  const spoolDir = mkdtempSync(path.join(tmpdir(), `${opts.prefix}-spool-`));
  const stored = async () => {
    const { rows } = await pool.query<{ raw: unknown }>(
      "SELECT raw FROM lifecycle_event WHERE client_id LIKE $1",
      [`${opts.prefix}%`],
    );
    return rows.map((r) => canonical(r.raw));
  };
  const ingestUrl = `${app.url}/api/ingest`;
  return {
    app,
    broker,
    pool,
    spoolDir,
    ingestUrl,
    published,
    stored,
    expectExactlyOnce: async (timeoutMs = 30_000) => {
      let rows: string[] = [];
      await waitFor(
        async () => {
          rows = await stored();
          return rows.length >= published.size && [...published].every((p) => rows.includes(p));
        },
        timeoutMs,
        "every published event in lifecycle_event",
      ).catch((error: Error) => {
        const have = new Set(rows);
        const missing = [...published].filter((p) => !have.has(p)).slice(0, 3);
        throw new Error(
          `${error.message}: ${rows.length}/${published.size} stored; missing e.g. ${missing.join(" ")}`,
        );
      });
      const unique = new Set(rows);
      if (unique.size !== rows.length)
        throw new Error(`${rows.length - unique.size} events stored more than once`);
      const extra = rows.filter((r) => !published.has(r));
      if (extra.length > 0)
        throw new Error(`${extra.length} stored events were never published, e.g. ${extra[0]}`);
      return { published: published.size, stored: rows.length };
    },
    startBridge: (clientId, options = {}) =>
      startBridge({
        mqttUrl: broker.wsUrl,
        ingestUrl,
        ingestToken: "test-token",
        spoolDir,
        clientId,
        batchMaxWaitMs: 50,
        retryBaseMs: 100,
        retryMaxMs: 1000,
        logLevel: "error",
        ...options,
      }),
    startFlowingFleet: async (seed) => {
      const fleet = await startFleet({
        mqttUrl: broker.wsUrl,
        devices: 15,
        seed,
        meanActionMs: 100,
        meanOfflineMs: 120,
        keepaliveSeconds: 1,
        clientIdPrefix: opts.prefix,
      });
      await waitFor(
        async () => (await stored()).length > 50,
        15_000,
        "events flowing into the database",
      );
      return fleet;
    },
    close: async () => {
      await broker.close();
      await app.stop();
      await pool.end();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** A bridge process started by `spawnBridge`. */
export interface BridgeProcess {
  child: ChildProcess;
  /** The last 20,000 characters of its stdout and stderr. */
  output: () => string;
  /** Resolves once it logged "bridge started" (connected and subscribed). */
  started: (timeoutMs?: number) => Promise<void>;
  /** Sends `signal` and resolves when it has exited (at once if it already has). */
  stop: (signal: NodeJS.Signals) => Promise<void>;
}

/** The bridge as its own process (`scripts/bridge.ts`), so a test can SIGKILL it. */
export function spawnBridge(env: Record<string, string>): BridgeProcess {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bridge.ts"], {
    env: { ...process.env, LOG_LEVEL: "info", BRIDGE_METRICS_PORT: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    started: (timeoutMs = 20_000) =>
      waitFor(() => output.includes('"bridge started"'), timeoutMs, "bridge process start").then(
        () => undefined,
      ),
    stop: (signal) =>
      exited()
        ? Promise.resolve()
        : new Promise((resolve) => {
            child.once("exit", () => resolve());
            child.kill(signal);
          }),
  };
}
