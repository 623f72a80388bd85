// npm run bench:bridge [-- --events N] [-- --runs N] [-- --smoke] [-- --in-flight N --batch N --wait MS --fsync MODE]
//                      [-- --env NAME=VALUE …] [-- --compare DIR] [-- --profile DIR] [-- --no-null]
// Events/s from the embedded broker over WebSocket through the bridge (spool,
// batches, POST /api/ingest of the built app) into PostgreSQL, next to a bare
// mqtt.js subscriber's receive rate measured in the same run: same broker,
// transport (WebSocket), QoS 1, session kind (persistent, as the bridge's) and
// number of messages. Target: at least 70% of the bare rate. Broker, bare
// subscriber, bridge and app each run in their own process; the broker, the
// bare subscriber and the publisher (a sliding window of 500 unacknowledged
// QoS 1 messages) are the benchmark suite's (bench/processes, bench/lib), so
// this and `npm run bench`'s bridge section measure the same thing.
//
// Both clocks stop the same way: the bare subscriber's at its last receipt,
// the bridge's when ingest acknowledged the last batch (the bridge's
// bridge_last_forward_timestamp_seconds, read once /metrics shows every event
// forwarded; polled every 250 ms, so polling costs little and sets no
// clock). `--compare DIR` also runs the bridge of another checkout (e.g.
// `git archive` of an older commit, with a node_modules link) into the same
// app in every run, alternating which of the two goes first: an A/B on the
// same machine at the same moment, which the noise of a shared machine
// otherwise hides. `--profile DIR` writes the
// bridge's V8 CPU profile there and prints where its time went.
//
// Each run also says where the CPU went, per event: the bridge path's
// (broker, publisher, bridge, app, PostgreSQL server) and the bare path's
// (broker, publisher, subscriber). On a machine where both paths keep every
// core busy, the ratio of the two rates is about the inverse ratio of these.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import pg from "pg";
import { startFakeIngest } from "../test/support/fake-ingest";
import { freePort } from "../lib/db/embedded";
import { BENCH_TOKEN, startBenchApp } from "./lib/app";
import { describeServer, startPgServer } from "./lib/database";
import { spawnHelper } from "./lib/child";
import { profileText, summariseProfiles } from "./lib/cpuprofile";
import { forwardProgress, PROGRESS_POLL_MS } from "./lib/bridge-probes";
import { connectPublisher, publishAll, toMessage } from "./lib/publisher";
import { lifecycleHistory } from "./lib/workload";
import { meterCpu, parentPid } from "./lib/process-cpu";
import { bridgeBenchArgs, bridgeSettings } from "./lib/bridge-args";
import {
  NO_RUN,
  pathCpuUs,
  printResults,
  type BridgeRun,
  type RunResult,
} from "./lib/bridge-report";

const args = bridgeBenchArgs();
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The suite's workload (bench/suites/bridge.ts): connect, subscribe,
 * disconnect cycles over one client per 10 events, interleaved as a fleet's
 * stream is, so a batch rarely holds two events of one client and each event
 * costs its full share of derived state.
 */
function workload(events: number, prefix: string): { topic: string; payload: string }[] {
  return [...lifecycleHistory(events, Math.max(1, Math.round(events / 10)), prefix)].map(toMessage);
}

async function main(): Promise<void> {
  const events = Number(args.events ?? (args.smoke ? 3000 : 60_000));
  const runs = Number(args.runs ?? (args.smoke ? 1 : 3));
  const log = (s: string) => console.log(`[bench:bridge] ${s}`);
  const settings = bridgeSettings(args);
  const compareRoot = args.compare ? path.resolve(args.compare) : undefined;
  const profileDir = args.profile ? path.resolve(args.profile) : undefined;
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  // Its own embedded server (when DATABASE_URL is unset), apart from the suite's.
  const server = await startPgServer(log, ".data/bench-bridge-pg");
  log(`PostgreSQL: ${await describeServer(server.url)}`);
  const scratch = await server.scratch("bridge");
  const dbUrl = scratch.url;
  const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
  pool.on("error", () => undefined); // the scratch database is dropped (WITH FORCE) at the end
  const app = await startBenchApp({ databaseUrl: dbUrl });
  // The postmaster: its tree holds the ingest backends and the background
  // writers, which all work for the bridge path.
  const postgresPid = parentPid(
    (await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid,
  );
  const results: RunResult[] = [];
  const standIn = await startFakeIngest({ token: BENCH_TOKEN });
  let publisher: MqttClient | undefined;
  let brokerPid = -1;

  /**
   * Publishes `events` new events and times them until the bridge (of `root`)
   * has them acknowledged by `ingestUrl`; also returns the bridge's and the
   * broker's CPU time over that window.
   */
  const bridgeRun = async (
    wsUrl: string,
    ingestUrl: string,
    prefix: string,
    root = process.cwd(),
    profile = false,
  ): Promise<BridgeRun> => {
    const metricsPort = await freePort();
    const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-bridge-"));
    const nodeArgs = profile && profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
    let output = "";
    const bridge = spawn(
      process.execPath,
      [...nodeArgs, "--conditions=react-server", "--import", "tsx", "scripts/bridge.ts"],
      {
        cwd: root,
        env: {
          ...process.env,
          MQTT_URL: wsUrl,
          INGEST_URL: ingestUrl,
          INGEST_TOKEN: BENCH_TOKEN,
          BRIDGE_SPOOL_DIR: spoolDir,
          BRIDGE_CLIENT_ID: `bench-bridge-for-${prefix}`,
          BRIDGE_METRICS_PORT: String(metricsPort),
          LOG_LEVEL: "warn",
          ...settings,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    bridge.stdout.on("data", keep);
    bridge.stderr.on("data", keep);
    try {
      const healthy = () =>
        fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      while (!(await healthy())) {
        if (bridge.exitCode !== null) throw new Error(`bridge exited:\n${output}`);
        await sleep(50);
      }
      // The broker's events about the bridge itself are not the benchmark's: count from here.
      await sleep(300);
      const before = (await forwardProgress(metricsPort)).forwarded;
      const cpu = meterCpu({
        bridge: bridge.pid,
        broker: brokerPid,
        app: app.pid,
        postgres: postgresPid,
      });
      const t0 = now();
      const publishing = publishAll(publisher!, workload(events, prefix));
      let end = t0;
      for (let done = 0, lastLog = now(); done < events;) {
        await sleep(PROGRESS_POLL_MS);
        const progress = await forwardProgress(metricsPort);
        done = progress.forwarded - before;
        end = done < events ? now() : progress.lastAt; // the clock stops when ingest acknowledged the last batch
        if (end - t0 > 300_000) {
          throw new Error(`the bridge forwarded ${done} of ${events} in 5 minutes:\n${output}`);
        }
        if (end - lastLog > 10_000) {
          log(`  … ${done} of ${events} forwarded`);
          lastLog = end;
        }
      }
      const used = cpu.stop();
      const us = (seconds: number | undefined) => ((seconds ?? Number.NaN) * 1e6) / events;
      await publishing;
      return {
        rate: events / ((end - t0) / 1000),
        cpuUs: us(used.bridge),
        brokerCpuUs: us(used.broker),
        appCpuUs: us(used.app),
        postgresCpuUs: us(used.postgres),
        publisherCpuUs: us(used.self),
      };
    } finally {
      bridge.kill("SIGTERM");
      await new Promise((r) => (bridge.exitCode !== null ? r(null) : bridge.once("exit", r)));
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
  const bareRun = async (
    wsUrl: string,
    prefix: string,
    persistent: boolean,
  ): Promise<{ rate: number; brokerCpuUs: number; pathCpuUs: number }> => {
    // The suite's bare subscriber (bench/processes/bare-subscriber.ts): one implementation of the ceiling.
    const bare = spawnHelper("bench/processes/bare-subscriber.ts", [
      wsUrl,
      String(events),
      "120000",
      `${prefix}-`,
      persistent ? "persistent" : "clean",
    ]);
    try {
      await bare.line((l) => l.ready === true, 20_000);
      const cpu = meterCpu({ broker: brokerPid });
      const t0 = now();
      await publishAll(publisher!, workload(events, prefix));
      const done = await bare.line<{ lastAt: number; cpuMs: number }>(
        (l) => typeof l.received === "number",
        120_000,
      );
      const used = cpu.stop();
      return {
        rate: events / ((done.lastAt - t0) / 1000),
        brokerCpuUs: (used.broker! * 1e6) / events,
        pathCpuUs: ((used.broker! + used.self! + done.cpuMs / 1000) * 1e6) / events,
      };
    } finally {
      await bare.stop();
    }
  };
  const stored = async (prefix: string) => {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM lifecycle_event WHERE client_id LIKE $1",
      [`${prefix}-%`],
    );
    if (rows[0]!.n !== events) throw new Error(`${rows[0]!.n} events stored, ${events} published`);
  };

  log(
    `${events} events per run, ${runs} run(s); app ${app.url}` +
      (Object.keys(settings).length ? `; bridge settings ${JSON.stringify(settings)}` : "") +
      (compareRoot ? `; A/B against the bridge in ${compareRoot}` : ""),
  );
  try {
    // A cold app (JIT, first connections) would handicap whichever bridge goes first.
    const warm = workload(1000, "bench-warmup");
    for (let i = 0; i < warm.length; i += 500) {
      const body = JSON.stringify(warm.slice(i, i + 500));
      await fetch(`${app.url}/api/ingest`, {
        method: "POST",
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, "content-type": "application/json" },
        body,
      });
    }
    for (let run = 1; run <= runs; run += 1) {
      // A fresh broker per run: no session of an earlier run queues anything.
      const broker = spawnHelper("bench/processes/broker.ts");
      brokerPid = broker.pid;
      const { wsUrl, tcpUrl } = await broker.line<{ wsUrl: string; tcpUrl: string }>(
        (l) => typeof l.wsUrl === "string",
        20_000,
      );
      publisher = await connectPublisher(tcpUrl);
      try {
        // 1. The ceiling: a bare subscriber that only counts, with a persistent session
        // like the bridge's (which costs the broker more per message than a clean one)
        // and, for context, with a clean session. The clean one goes first: it also
        // warms up the fresh broker.
        const bareClean = await bareRun(wsUrl, `bench-bare${run}`, false);
        const barePersistent = await bareRun(wsUrl, `bench-barep${run}`, true);

        // 2. The bridge, all the way into PostgreSQL (and the --compare one, in alternating order).
        const ingestUrl = `${app.url}/api/ingest`;
        let mine = NO_RUN;
        let other = NO_RUN;
        const runMine = async () => {
          mine = await bridgeRun(wsUrl, ingestUrl, `bench-bridge${run}`, undefined, run === 1);
          await stored(`bench-bridge${run}`);
        };
        const runOther = async () => {
          other = await bridgeRun(wsUrl, ingestUrl, `bench-other${run}`, compareRoot);
          await stored(`bench-other${run}`);
        };
        if (compareRoot && run % 2 === 0) await runOther();
        await runMine();
        if (compareRoot && run % 2 === 1) await runOther();

        // The bare subscriber again: the bridge is paired with the mean of the
        // runs on either side of it, so the machine's drift weighs less.
        const bareAfter = await bareRun(wsUrl, `bench-barea${run}`, true);
        const bareMean = {
          rate: (barePersistent.rate + bareAfter.rate) / 2,
          brokerCpuUs: (barePersistent.brokerCpuUs + bareAfter.brokerCpuUs) / 2,
          pathCpuUs: (barePersistent.pathCpuUs + bareAfter.pathCpuUs) / 2,
        };

        // 3. For context: the bridge alone, into an endpoint that stores nothing.
        const alone = args["no-null"]
          ? Number.NaN
          : (await bridgeRun(wsUrl, standIn.url, `bench-null${run}`)).rate;
        results.push({
          bareClean: bareClean.rate,
          barePersistent: bareMean.rate,
          bridge: mine.rate,
          other: other.rate,
          alone,
          bridgeCpuUs: mine.cpuUs,
          otherCpuUs: other.cpuUs,
          brokerCpuBareUs: bareMean.brokerCpuUs,
          brokerCpuBridgeUs: mine.brokerCpuUs,
          appCpuUs: mine.appCpuUs,
          postgresCpuUs: mine.postgresCpuUs,
          pathCpuUs: pathCpuUs(mine),
          barePathCpuUs: bareMean.pathCpuUs,
        });
        const r = Math.round;
        log(
          `run ${run}: bridge → PostgreSQL ${r(mine.rate)} ev/s (${r((mine.rate / bareMean.rate) * 100)}%, bridge CPU ${r(mine.cpuUs)} µs/event)` +
            (compareRoot
              ? `; compared bridge ${r(other.rate)} ev/s (${r((other.rate / bareMean.rate) * 100)}%, ${r(other.cpuUs)} µs/event)`
              : "") +
            `; bare subscriber ${r(bareMean.rate)} ev/s persistent session (${r(barePersistent.rate)} before, ${r(bareAfter.rate)} after), ${r(bareClean.rate)} clean` +
            `; bridge → no-op endpoint ${r(alone)} ev/s; broker CPU ${r(bareMean.brokerCpuUs)} µs/event (bare), ${r(mine.brokerCpuUs)} (bridge)` +
            `; bridge path CPU ${r(pathCpuUs(mine))} µs/event (app ${r(mine.appCpuUs)}, PostgreSQL ${r(mine.postgresCpuUs)}), bare path ${r(bareMean.pathCpuUs)}`,
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
    await server.stop(); // drops the scratch database
  }
  printResults(results, {
    events,
    runs,
    compareRoot,
    withNull: !args["no-null"],
  });
  if (profileDir)
    for (const s of summariseProfiles(profileDir, 25))
      console.log(`\nbridge CPU profile (run 1)\n${profileText(s)}`);
  process.exit(0);
}

// Last: the helpers above must be initialised before main() runs.
await main();
