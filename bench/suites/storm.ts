// 9. Reconnect storm: every known device disconnects within a minute (a broker
// restart, a regional outage) and reconnects over the next ten, each with
// three AWS lifecycle events (disconnect, connect, subscribe), published on a
// private Mosquitto and carried by the real bridge (WebSocket, spool,
// batches) into the built app's POST /api/ingest and PostgreSQL. Measured:
// the bridge's backlog each second and when it drains (target: within twice
// the storm's length), publish → SSE delivery (p99 < 2 s), the fleet list and
// counts over HTTP (p95 < 500 ms, next to the same probes on the quiet fleet
// just before), and the app's and the bridge's memory. At the end every
// device must be online in its next connection (version + 1) and every
// published event stored once.
//
// Sizes: `--scale 1m` is the issue's storm (1,000,000 devices, 60 s + 600 s,
// ~3,000,000 events); the default is a tenth of the devices at the same event
// rates (6 s + 60 s); the smoke run is tiny. One publisher process publishes
// on schedule or as fast as the broker takes it: the suite reports the storm
// it achieved, which on a loaded 2-core machine may be longer than planned.
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../lib/db/embedded";
import { startMosquitto } from "../../test/support/mosquitto";
import { BENCH_TOKEN, startBenchApp } from "../lib/app";
import { spawnHelper, untilBridgeHealthy } from "../lib/child";
import { sleep, type ScaleName, type SuiteContext, type SuiteResult } from "../lib/context";
import { withClient } from "../lib/database";
import { cpuSeconds, ownCpuSeconds } from "../lib/process-cpu";
import { pidListeningOn, rssMiB } from "../lib/process-memory";
import { stormEvents, STORM_PREFIX, type StormShape } from "../lib/storm-plan";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import { preloadStormDevices } from "../lib/storm-preload";
import { bridgeMetrics, probeLoop, sampleStorm, watchStream, type Probe } from "../lib/storm-watch";
import { stormFigures, type StormRun } from "./storm-report";
import { checkpointsSoFar, checkpointText, type Checkpoints } from "./latency-phase";

export interface StormOptions extends StormShape {
  /** The quiet fleet's probes, before the storm: the list's and counts' baseline. */
  quietSeconds: number;
  /** Waiting for the drain stops after this many planned storm lengths. */
  deadlineFactor: number;
  /** Between one probe request and the next (each probe runs one at a time). */
  probePauseMs: number;
}

export function stormOptions(smoke: boolean, scale: ScaleName): StormOptions {
  const common = { probePauseMs: 250 };
  if (smoke)
    return {
      ...common,
      devices: 2_000,
      disconnectSeconds: 2,
      reconnectSeconds: 10,
      quietSeconds: 2,
      deadlineFactor: 6,
    };
  if (scale === "1m")
    return {
      ...common,
      devices: 1_000_000,
      disconnectSeconds: 60,
      reconnectSeconds: 600,
      quietSeconds: 20,
      deadlineFactor: 3,
    };
  // The 1M storm's event rates for fewer devices (BENCH_STORM_DEVICES, default 100,000): a shorter storm.
  const devices = Number(process.env.BENCH_STORM_DEVICES ?? 100_000);
  if (!Number.isInteger(devices) || devices < 1_000)
    throw new Error(
      `BENCH_STORM_DEVICES must be a whole number of devices, at least 1000 (got '${process.env.BENCH_STORM_DEVICES}')`,
    );
  return {
    ...common,
    devices,
    disconnectSeconds: (60 * devices) / 1_000_000,
    reconnectSeconds: (600 * devices) / 1_000_000,
    quietSeconds: 10,
    deadlineFactor: 6,
  };
}

const PROBES = [
  { name: "fleet list", path: "/api/clients?limit=50" },
  { name: "counts", path: "/api/stats/summary" },
];

interface PublisherDone {
  startedAt: number;
  sent: number;
  acked: number;
  disconnectsDoneMs: number;
  allDoneMs: number;
  maxBehind: number;
  /** The publisher's own CPU seconds when it was done. */
  cpuSeconds?: number;
}

/** The app builds the online chart's rollup when it starts: the storm waits for it, as production would. */
async function rollupBuilt(url: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const built = await withClient(url, (c) =>
      c.query("SELECT 1 FROM online_rollup_state WHERE id = 1"),
    );
    if (built.rowCount === 1) return (Date.now() - started) / 1000;
    await sleep(500);
  }
  throw new Error(`the online rollup was not built within ${timeoutMs / 1000} s`);
}

/** What PostgreSQL and the API hold once the bridge drained. */
async function verify(url: string, since: number, appFetch: (p: string) => Promise<Response>) {
  return withClient(url, async (c) => {
    const next = `(1 + (substr(client_id, ${STORM_PREFIX.length + 1})::bigint * 31) % 97 + 1)`;
    const state = await c.query<{ devices: number; right: number }>(
      `SELECT count(*)::int AS devices,
              count(*) FILTER (WHERE disconnected_at IS NULL AND version_number = ${next}
                 AND session_identifier = 's-' || client_id || '-' || ${next})::int AS right
         FROM client_state WHERE client_id LIKE '${STORM_PREFIX}%'`,
    );
    const events = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM lifecycle_event
        WHERE client_id LIKE '${STORM_PREFIX}%' AND event_at >= to_timestamp($1::double precision / 1000)`,
      [since],
    );
    const counts = (await (await appFetch("/api/stats/summary")).json()) as { online?: number };
    return {
      devices: state.rows[0]!.devices,
      onlineRightVersion: state.rows[0]!.right,
      stored: events.rows[0]!.n,
      apiOnline: counts.online ?? Number.NaN,
    };
  });
}

export async function runStormSuite(ctx: SuiteContext, o: StormOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const shape: StormShape = {
    devices: o.devices,
    disconnectSeconds: o.disconnectSeconds,
    reconnectSeconds: o.reconnectSeconds,
  };
  const planned = o.disconnectSeconds + o.reconnectSeconds;
  const total = stormEvents(shape);
  const db = await ctx.server.scratch("storm");
  let checkpointsBefore: Checkpoints = { count: Number.NaN, buffers: Number.NaN };
  let checkpoints: string | undefined;
  let cpu: string | undefined;
  const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-storm-spool-"));
  const cleanups: (() => Promise<unknown>)[] = [() => db.drop()];
  // --profile: the app's CPU profile, written when it stops (after the run).
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "storm-app") : undefined;
  let result: SuiteResult;
  try {
    await preloadStormDevices(db.url, o.devices, log);
    const app = await startBenchApp({ databaseUrl: db.url, profileDir });
    cleanups.unshift(() => app.stop());
    const rollupSeconds = await rollupBuilt(db.url, 10 * 60_000);
    const mosquitto = await startMosquitto();
    cleanups.unshift(() => mosquitto.stop());
    const metricsPort = await freePort();
    const bridge = spawnHelper("scripts/bridge.ts", [], {
      MQTT_URL: mosquitto.wsUrl,
      INGEST_URL: `${app.url}/api/ingest`,
      INGEST_TOKEN: BENCH_TOKEN,
      BRIDGE_SPOOL_DIR: spoolDir,
      BRIDGE_CLIENT_ID: `bench-storm-${process.pid}`,
      BRIDGE_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
    });
    cleanups.unshift(() => bridge.stop());
    await untilBridgeHealthy(metricsPort, bridge);
    const brokerPid = pidListeningOn(Number(new URL(mosquitto.tcpUrl).port));
    const pids: Record<string, number> = { app: app.pid, bridge: bridge.pid };
    if (brokerPid !== undefined) pids.broker = brokerPid;
    const idleRss = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, rssMiB(p)]));
    // CPU by process over the storm: PostgreSQL is the tree of the postmaster (on this machine).
    const postmaster = pidListeningOn(Number(new URL(db.url).port || 5432));
    const cpuPids: Record<string, number> = { ...pids };
    if (postmaster !== undefined) cpuPids.postgres = postmaster;

    // Storm events are stamped when published: everything before this is the preload.
    const since = Date.now();
    const watch = watchStream(app.fetch, STORM_PREFIX, () => since);
    cleanups.unshift(async () => watch.stop());
    await Promise.race([
      watch.listening,
      sleep(15_000).then(() => Promise.reject(new Error("SSE hub never started listening"))),
    ]);
    log(
      `storm: quiet fleet probes for ${o.quietSeconds} s (rollup built in ${rollupSeconds.toFixed(0)} s)`,
    );
    const quiet = probeLoop(app.fetch, PROBES, o.probePauseMs);
    await sleep(o.quietSeconds * 1000);
    await quiet.stop();

    const before = (await bridgeMetrics(metricsPort)).bridge_events_forwarded_total!;
    checkpointsBefore = await checkpointsSoFar(db.url);
    log(
      `storm: ${o.devices.toLocaleString("en-US")} devices disconnect within ${o.disconnectSeconds} s and reconnect over ${o.reconnectSeconds} s (${total.toLocaleString("en-US")} events)`,
    );
    const publisher = spawnHelper("bench/processes/storm-publisher.ts", [
      mosquitto.tcpUrl,
      JSON.stringify(shape),
    ]);
    cleanups.unshift(() => publisher.stop());
    await publisher.line((l) => l.ready === true, 30_000);
    const t0 = Date.now();
    cpuPids.publisher = publisher.pid;
    // `bench` is this process: the publisher's feed, probes, the stream watcher, the sampler.
    const cpuBefore = { ...cpuSeconds(cpuPids), bench: ownCpuSeconds() };
    const published = () =>
      publisher.latest<{ acked: number }>((l) => l.progress === true || l.done === true)?.acked ??
      0;
    const sampler = sampleStorm(metricsPort, pids, published, t0);
    const stormProbes = probeLoop(app.fetch, PROBES, o.probePauseMs);
    let lastReport = 0;
    // Until the publisher is done only a hard cap (it may fall far behind on a
    // loaded machine); then deadlineFactor × the storm's length, planned or achieved.
    const cap = t0 + (10 * planned + 600) * 1000;
    let deadline = cap;
    const progress = () => {
      const s = sampler.samples.at(-1);
      if (s === undefined || s.t - lastReport < 10) return;
      lastReport = s.t;
      log(
        `storm t=${s.t.toFixed(0)} s: published ${s.published}, bridge received ${s.received}, stored ${s.forwarded - before}, spool ${s.spoolEvents} events, lag ${s.lagSeconds.toFixed(1)} s, RSS app ${Math.round(s.rss.app!)} / bridge ${Math.round(s.rss.bridge!)} MiB`,
      );
    };
    let done: PublisherDone | undefined;
    void publisher
      .line<PublisherDone>((l) => l.done === true, cap - t0)
      .then((d) => {
        done = d;
        const length = Math.max(planned, d.allDoneMs / 1000);
        deadline = Math.min(cap, d.startedAt + o.deadlineFactor * length * 1000);
      })
      .catch(() => undefined);
    let drainedAt = Number.NaN;
    while (Date.now() < deadline) {
      await sleep(250);
      progress();
      if (done === undefined) continue;
      const m = await bridgeMetrics(metricsPort);
      if (m.bridge_events_forwarded_total! - before >= done.acked && m.bridge_spool_events === 0) {
        drainedAt = Date.now();
        break;
      }
    }
    const cpuAfter: Record<string, number> = { ...cpuSeconds(cpuPids), bench: ownCpuSeconds() };
    // The publisher has exited by now: its own account of its CPU.
    if (done?.cpuSeconds !== undefined) cpuAfter.publisher = done.cpuSeconds;
    const cpuWall = (Date.now() - t0) / 1000;
    cpu = cpuText(cpuBefore, cpuAfter, cpuWall);
    log(`storm: ${cpu}`);
    // The last batches' `client` messages and summaries reach the stream.
    await sleep(3_000);
    await stormProbes.stop();
    await sampler.stop();
    watch.stop();
    const check = await verify(db.url, since, app.fetch);
    const after = await checkpointsSoFar(db.url);
    checkpoints = checkpointText({
      count: after.count - checkpointsBefore.count,
      buffers: after.buffers - checkpointsBefore.buffers,
    });
    log(`storm: ${checkpoints}`);
    const run: StormRun = {
      options: o,
      planned,
      total,
      publisher: done,
      t0,
      drainSeconds: Number.isNaN(drainedAt)
        ? Number.NaN
        : (drainedAt - (done?.startedAt ?? t0)) / 1000,
      samples: sampler.samples.map((s) => ({ ...s, forwarded: s.forwarded - before })),
      quiet: quiet.probes,
      storm: stormProbes.probes.map((p): Probe => ({
        ...p,
        samples: p.samples.filter((s) => Number.isNaN(drainedAt) || s.at <= drainedAt),
      })),
      sse: watch,
      idleRss,
      check,
    };
    log(
      `storm: ${Number.isNaN(run.drainSeconds) ? "NOT drained" : `drained ${run.drainSeconds.toFixed(0)} s after the start`}; ${check.stored.toLocaleString("en-US")} of ${(done?.acked ?? 0).toLocaleString("en-US")} published events stored; ${check.onlineRightVersion.toLocaleString("en-US")} of ${o.devices.toLocaleString("en-US")} devices online in their next connection (API: ${check.apiOnline} online)`,
    );
    result = stormFigures(run);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    rmSync(spoolDir, { recursive: true, force: true });
  }
  if (checkpoints !== undefined) result.notes.push(`storm: ${checkpoints}`);
  if (cpu !== undefined) result.notes.push(`storm: ${cpu}`);
  result.notes.push(...profileNotes(profileDir, "storm app CPU profile", 25));
  return result;
}

/** Where the machine's CPU went from the storm's start to its drain, by process. */
function cpuText(
  before: Record<string, number>,
  after: Record<string, number>,
  wallSeconds: number,
): string {
  const cores = os.availableParallelism();
  const used = Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)] as const);
  const total = used.reduce((sum, [, s]) => sum + s, 0);
  const parts = used
    .sort((a, b) => b[1] - a[1])
    .map(([k, s]) => `${k} ${s.toFixed(0)} s (${((100 * s) / total).toFixed(0)} %)`);
  return `CPU from the storm's start to its drain (${wallSeconds.toFixed(0)} s × ${cores} cores = ${(wallSeconds * cores).toFixed(0)} s): ${total.toFixed(0)} s used, ${parts.join(", ")}`;
}
