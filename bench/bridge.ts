// npm run bench:bridge [-- --events N] [-- --runs N] [-- --smoke] [-- --in-flight N --batch N --fsync MODE]
// Events/s from the embedded broker over WebSocket through the bridge (spool,
// batches, POST /api/ingest of the built app) into PostgreSQL, next to a bare
// mqtt.js subscriber's receive rate measured in the same run: same broker,
// transport (WebSocket), QoS 1 and messages. Target: at least 70% of the bare
// rate. Broker, bare subscriber, bridge and app each run in their own process
// (this file plays the broker and the bare subscriber with --role).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { connectAsync, type MqttClient } from "mqtt";
import pg from "pg";
import { LIFECYCLE_TOPIC_FILTERS, startLifecycleBroker } from "../lib/broker";
import { publishAll, syntheticEvents } from "../lib/broker/testing";
import { startFakeIngest } from "../lib/bridge/fake-ingest";
import { spawnBridge } from "../lib/bridge/stack";
import { freePort, startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { startApp } from "../lib/testing/app-server";

const { values: args } = parseArgs({
  options: {
    role: { type: "string" },
    url: { type: "string" },
    expect: { type: "string" },
    prefix: { type: "string" },
    persistent: { type: "boolean", default: false },
    events: { type: "string" },
    runs: { type: "string" },
    smoke: { type: "boolean", default: false },
    "in-flight": { type: "string" },
    batch: { type: "string" },
    fsync: { type: "string" },
  },
});
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function brokerRole(): Promise<void> {
  // Devices may not publish on $aws/ (as on AWS); the benchmark's publisher stands in for the broker's own events.
  const broker = await startLifecycleBroker({ allowLifecyclePublish: true });
  say({ wsUrl: broker.wsUrl, tcpUrl: broker.tcpUrl });
  process.on("SIGTERM", () => void broker.close().then(() => process.exit(0)));
}

async function bareRole(): Promise<void> {
  const expected = Number(args.expect);
  const persistent = args.persistent === true;
  const client = await connectAsync(args.url!, {
    clientId: `bench-bare-${process.pid}`,
    reconnectPeriod: 0,
    clean: !persistent,
  });
  // A persistent session outlives us: drop it, or the broker queues for it in later phases.
  process.on("SIGTERM", () => {
    void client
      .unsubscribeAsync([...LIFECYCLE_TOPIC_FILTERS])
      .then(() => client.endAsync())
      .finally(() => process.exit(0));
  });
  let received = 0;
  let lastAt = 0;
  client.on("message", (topic) => {
    if (!topic.includes(`/${args.prefix}-`)) return; // not the broker's own events about the benchmark's clients
    received += 1;
    lastAt = now();
    if (received === expected) say({ received, lastAt });
  });
  await client.subscribeAsync([...LIFECYCLE_TOPIC_FILTERS], { qos: 1 });
  say({ ready: true });
}

/** A child process speaking JSON lines on stdout. */
function child(command: string[], env: Record<string, string> = {}) {
  const proc: ChildProcess = spawn(process.execPath, command, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  proc.stdout?.on("data", (c: Buffer) => {
    buffer += c.toString();
    for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const line = async (key: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((l) => key in l);
      if (found) return found;
      if (Date.now() > deadline || proc.exitCode !== null)
        throw new Error(`no '${key}' from ${command.join(" ")}`);
      await sleep(10);
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  return { proc, line, stop };
}

const self = ["--import", "tsx", "bench/bridge.ts"];

async function forwarded(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^bridge_events_forwarded_total (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const events = Number(args.events ?? (args.smoke ? 3000 : 20_000));
  const runs = Number(args.runs ?? (args.smoke ? 1 : 3));
  const log = (s: string) => console.log(`[bench:bridge] ${s}`);
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: ".data/bench-bridge-pg",
      database: "postgres",
    });
    serverUrl = embedded.url;
  }
  const name = `fleet_bench_bridge_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  admin.on("error", () => undefined);
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${name}`;
  await migrate(dbUrl.toString());
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 1 });
  pool.on("error", () => undefined); // the scratch database is dropped (WITH FORCE) at the end
  const app = await startApp({
    databaseUrl: dbUrl.toString(),
    env: { INGEST_TOKEN: "bench-token" },
  });
  const results: { bareClean: number; barePersistent: number; bridge: number; alone: number }[] =
    [];
  const standIn = await startFakeIngest({ token: "bench-token" });
  let publisher: MqttClient | undefined;

  /** Publishes `events` new events and times them until the bridge has them acknowledged by `ingestUrl`. */
  const bridgeRun = async (wsUrl: string, ingestUrl: string, prefix: string): Promise<number> => {
    const metricsPort = await freePort();
    const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-bridge-"));
    const bridge = spawnBridge({
      MQTT_URL: wsUrl,
      INGEST_URL: ingestUrl,
      INGEST_TOKEN: "bench-token",
      BRIDGE_SPOOL_DIR: spoolDir,
      BRIDGE_CLIENT_ID: `bench-bridge-for-${prefix}`,
      BRIDGE_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
      ...(args["in-flight"] ? { BRIDGE_MAX_IN_FLIGHT: args["in-flight"] } : {}),
      ...(args.batch ? { BRIDGE_BATCH_MAX_EVENTS: args.batch } : {}),
      ...(args.fsync ? { BRIDGE_SPOOL_FSYNC: args.fsync } : {}),
    });
    try {
      const healthy = () =>
        fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      while (!(await healthy())) {
        if (bridge.child.exitCode !== null) throw new Error(`bridge exited:\n${bridge.output()}`);
        await sleep(50);
      }
      const t0 = now();
      const publishing = publishAll(publisher!, syntheticEvents(events, prefix));
      for (let done = 0, lastLog = now(); done < events; done = await forwarded(metricsPort)) {
        if (now() - t0 > 300_000) {
          throw new Error(
            `the bridge forwarded ${done} of ${events} in 5 minutes:\n${bridge.output()}`,
          );
        }
        if (now() - lastLog > 10_000) {
          log(`  … ${done} of ${events} forwarded`);
          lastLog = now();
        }
        await sleep(100); // /metrics is not free: poll gently
      }
      const rate = events / ((now() - t0) / 1000);
      await publishing;
      return rate;
    } finally {
      bridge.child.kill("SIGTERM");
      await new Promise((r) =>
        bridge.child.exitCode !== null ? r(null) : bridge.child.once("exit", r),
      );
      rmSync(spoolDir, { recursive: true, force: true });
      // Discard the bridge's persistent session so later phases do not queue for it.
      const discard = await connectAsync(wsUrl, {
        clientId: `bench-bridge-for-${prefix}`,
        clean: true,
      });
      await discard.endAsync();
    }
  };
  /** Times `events` new events from publishing to the bare subscriber's last receipt. */
  const bareRun = async (wsUrl: string, prefix: string, persistent: boolean): Promise<number> => {
    const bareArgs = [
      "--role",
      "bare",
      "--url",
      wsUrl,
      "--expect",
      String(events),
      "--prefix",
      prefix,
    ];
    const bare = child([...self, ...bareArgs, ...(persistent ? ["--persistent"] : [])]);
    try {
      await bare.line("ready", 20_000);
      const t0 = now();
      await publishAll(publisher!, syntheticEvents(events, prefix));
      const done = (await bare.line("received", 120_000)) as { lastAt: number };
      return events / ((done.lastAt - t0) / 1000);
    } finally {
      await bare.stop();
    }
  };

  log(`${events} events per run, ${runs} run(s); app ${app.url}`);
  try {
    for (let run = 1; run <= runs; run += 1) {
      // A fresh broker per run: no session of an earlier run queues anything.
      const broker = child([...self, "--role", "broker"]);
      const { wsUrl, tcpUrl } = (await broker.line("wsUrl", 20_000)) as {
        wsUrl: string;
        tcpUrl: string;
      };
      publisher = await connectAsync(tcpUrl, {
        clientId: `bench-publisher-${run}`,
        reconnectPeriod: 0,
      });
      try {
        // 1. The ceiling: bare subscribers that only count, with a clean and with a
        // persistent session (the bridge's kind, which costs the broker more per message).
        const bareClean = await bareRun(wsUrl, `bench-bare${run}`, false);
        const barePersistent = await bareRun(wsUrl, `bench-barep${run}`, true);

        // 2. The bridge, all the way into PostgreSQL.
        const bridgeRate = await bridgeRun(wsUrl, `${app.url}/api/ingest`, `bench-bridge${run}`);
        const { rows } = await pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM lifecycle_event WHERE client_id LIKE $1",
          [`bench-bridge${run}-%`],
        );
        if (rows[0]!.n !== events)
          throw new Error(`${rows[0]!.n} events stored, ${events} published`);

        // 3. For context: the bridge alone, into an endpoint that stores nothing.
        const nullRate = await bridgeRun(wsUrl, standIn.url, `bench-null${run}`);
        results.push({ bareClean, barePersistent, bridge: bridgeRate, alone: nullRate });
        log(
          `run ${run}: bridge → PostgreSQL ${Math.round(bridgeRate)} ev/s; bare subscriber ${Math.round(barePersistent)} ev/s ` +
            `persistent session, ${Math.round(bareClean)} clean; bridge → no-op endpoint ${Math.round(nullRate)} ev/s`,
        );
      } finally {
        await publisher.endAsync();
        await broker.stop();
      }
    }
  } finally {
    await standIn.stop();
    await app.stop();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const m = (key: keyof (typeof results)[number]) => Math.round(median(results.map((r) => r[key])));
  const ratio = (key: "bareClean" | "barePersistent") =>
    median(results.map((r) => r.bridge / r[key]));
  const verdict = (r: number) =>
    `${Math.round(r * 100)}% (target ≥ 70%: ${r >= 0.7 ? "met" : "missed"})`;
  console.log(
    `\n| path (${events} events, QoS 1, WebSocket) | events/s, median of ${runs} |\n|---|---|`,
  );
  console.log(`| broker → bridge → POST /api/ingest → PostgreSQL | ${m("bridge")} |`);
  console.log(
    `| broker → bare mqtt.js subscriber, persistent session (as the bridge) | ${m("barePersistent")} |`,
  );
  console.log(`| broker → bare mqtt.js subscriber, clean session | ${m("bareClean")} |`);
  console.log(`| broker → bridge → no-op endpoint (context: the bridge alone) | ${m("alone")} |`);
  console.log(`\nbridge / bare (persistent session): ${verdict(ratio("barePersistent"))}`);
  console.log(`bridge / bare (clean session): ${verdict(ratio("bareClean"))}`);
  process.exit(0);
}

// Dispatch last: the helpers above must be initialised before main() runs.
if (args.role === "broker") await brokerRole();
else if (args.role === "bare") await bareRole();
else await main();
