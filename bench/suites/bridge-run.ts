// The bridge suite's parts (bridge.ts): one run of the bridge path, the
// ingest route at the bridge's concurrency, and the notes on where the CPU of
// each path went.
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { BATCH_DEFAULTS } from "../../lib/bridge/config";
import { freePort } from "../../lib/db/embedded";
import { BENCH_TOKEN, postBatch, type BenchApp } from "../lib/app";
import { spawnHelper, untilBridgeHealthy } from "../lib/child";
import {
  acceptedRequests,
  forwardProgress,
  PROGRESS_POLL_MS,
  type BrokerUrls,
} from "../lib/bridge-probes";
import { drain, sleep } from "../lib/context";
import { meterCpu } from "../lib/process-cpu";
import { rssMiB, sampleMemory } from "../lib/process-memory";
import { connectPublisher, publishAll, type Message } from "../lib/publisher";
import { median, round } from "../lib/stats";
import { batches } from "../lib/workload";

export async function bridgeRun(
  app: BenchApp,
  urls: BrokerUrls,
  messages: readonly Message[],
  deadlineMs: number,
  run: number,
  profileDir: string | undefined,
  cpuOf: { broker: number; postgres: number | undefined },
  /** Where the bridge posts: the app's route, or a stand-in that stores nothing. */
  ingestUrl = `${app.url}/api/ingest`,
): Promise<{
  rate: number;
  idleRss: number;
  peakRss: number;
  appPeakRss: number;
  cpu: Record<string, number>;
  meanBatch: number;
}> {
  const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-bridge-spool-"));
  const metricsPort = await freePort();
  const clientId = `bench-bridge-${process.pid}-${run}-${new URL(ingestUrl).port}`;
  // scripts/bridge.ts as its own process, as test/support/bridge-stack's spawnBridge
  // runs it, plus --cpu-prof when asked (NODE_OPTIONS may not carry it).
  const bridge = spawnHelper(
    "scripts/bridge.ts",
    [],
    {
      MQTT_URL: urls.wsUrl,
      INGEST_URL: ingestUrl,
      INGEST_TOKEN: BENCH_TOKEN,
      BRIDGE_SPOOL_DIR: spoolDir,
      BRIDGE_CLIENT_ID: clientId,
      BRIDGE_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
    },
    profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`],
  );
  let publisher: MqttClient | undefined;
  try {
    await untilBridgeHealthy(metricsPort, bridge);
    await sleep(500);
    const bridgePid = bridge.child.pid!;
    const idleRss = rssMiB(bridgePid);
    const bridgeMemory = sampleMemory(bridgePid);
    const appMemory = sampleMemory(app.pid);
    publisher = await connectPublisher(urls.tcpUrl);
    // The bridge also forwards the broker's events about itself and the publisher: count from here.
    await sleep(500);
    const before = (await forwardProgress(metricsPort)).forwarded;
    const requestsBefore = await acceptedRequests(metricsPort);
    const cpu = meterCpu({
      broker: cpuOf.broker,
      bridge: bridgePid,
      app: app.pid,
      postgres: cpuOf.postgres,
    });
    const t0 = performance.timeOrigin + performance.now();
    const published = publishAll(publisher, messages);
    const deadline = t0 + deadlineMs;
    let progress = { forwarded: 0, lastAt: t0 };
    while (
      progress.forwarded - before < messages.length &&
      performance.timeOrigin + performance.now() < deadline
    ) {
      await sleep(PROGRESS_POLL_MS);
      progress = await forwardProgress(metricsPort);
    }
    const forwarded = progress.forwarded - before;
    const seconds = (progress.lastAt - t0) / 1000;
    await published;
    const cpuUsed = cpu.stop();
    const requests = (await acceptedRequests(metricsPort)) - requestsBefore;
    const peakRss = bridgeMemory.stop().peakMiB;
    const appPeakRss = appMemory.stop().peakMiB;
    if (forwarded < messages.length)
      throw new Error(
        `bridge forwarded ${forwarded} of ${messages.length} within ${deadlineMs} ms`,
      );
    return {
      rate: forwarded / seconds,
      idleRss,
      peakRss,
      appPeakRss,
      cpu: cpuUsed,
      meanBatch: forwarded / Math.max(1, requests),
    };
  } finally {
    await publisher?.endAsync();
    // SIGTERM: the bridge drains, exits, and (profiling) writes its profile.
    await bridge.stop();
    // Its persistent session would make the broker queue every later message of this run for it.
    const discard = await connectAsync(urls.wsUrl, {
      clientId,
      clean: true,
      reconnectPeriod: 0,
    }).catch(() => undefined);
    await discard?.endAsync();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

/**
 * The ingest route alone with the bridge's own batching and concurrency
 * (its default batch size and in-flight limit, payloads as text as the bridge
 * sends them): the ceiling for the bridge that the database side sets.
 */
export async function routeAtBridgeConcurrency(
  app: BenchApp,
  messages: readonly Message[],
): Promise<number> {
  const bodies = batches(messages, BATCH_DEFAULTS.maxEvents).map((b) => ({
    body: `[${b.map((m) => JSON.stringify(m)).join(",")}]`,
    count: b.length,
  }));
  const r = await drain(bodies, BATCH_DEFAULTS.maxInFlight, 5 * 60_000, (b) =>
    postBatch(app.url, b.body, b.count),
  );
  if (r.timedOut) throw new Error("the route did not take the bridge's events within 5 minutes");
  return r.processed / r.seconds;
}

/**
 * Where the bridge run's CPU went, per event (medians over runs), and the
 * ceiling that total sets on this machine's cores: the limit the bridge
 * shares with the broker and the publisher here, which a deployment with the
 * broker elsewhere would not.
 */
export function cpuNote(perRun: Record<string, number>[], bridgeRate: number): string {
  if (perRun.length === 0) return "bridge CPU: not measured";
  const names = ["broker", "self", "bridge", "app", "postgres"] as const;
  const label: Record<(typeof names)[number], string> = {
    broker: "broker",
    self: "publisher (the benchmark process)",
    bridge: "bridge",
    app: "app (ingest route)",
    postgres: "PostgreSQL (all server processes)",
  };
  const med = Object.fromEntries(
    names.map((n) => [n, median(perRun.map((r) => r[n] ?? 0))]),
  ) as Record<(typeof names)[number], number>;
  const total = names.reduce((sum, n) => sum + med[n], 0);
  const cores = os.availableParallelism();
  const parts = names.map((n) => `${label[n]} ${round(med[n])} µs`).join(", ");
  return (
    `bridge CPU per event (medians; processes that exited mid-run count once reaped): ${parts}; ` +
    `total ${round(total)} µs, so ${cores} cores cap this path at ${Math.round((cores * 1e6) / total).toLocaleString("en-US")} ev/s (measured ${Math.round(bridgeRate).toLocaleString("en-US")}); ` +
    `broker and publisher alone ${round(med.broker + med.self)} µs, bridge + app + PostgreSQL ${round(med.bridge + med.app + med.postgres)} µs.`
  );
}

/** The bare subscriber's run in the same terms, so the two paths' CPU can be set side by side. */
export function bareCpuNote(perRun: Record<string, number>[], bareRate: number): string {
  if (perRun.length === 0) return "bare subscriber CPU: not measured";
  const med = (k: string) => median(perRun.map((r) => r[k] ?? 0));
  const total = med("broker") + med("self") + med("subscriber");
  return (
    `bare subscriber CPU per event (persistent session, medians): broker ${round(med("broker"))} µs, publisher ${round(med("self"))} µs, ` +
    `subscriber ${round(med("subscriber"))} µs; total ${round(total)} µs at ${Math.round(bareRate).toLocaleString("en-US")} ev/s, ` +
    `so it kept ${round((total * bareRate) / 1e6)} of ${os.availableParallelism()} cores busy: the bare path is CPU-bound on this machine too, so the two rates stand roughly in the inverse ratio of their CPU per event.`
  );
}
