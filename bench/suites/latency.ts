// 3. Latency: publish on the broker → `event: client` on an SSE connection,
// through the whole path (broker, bridge spool and batching, POST
// /api/ingest, commit, NOTIFY, the hub's read, SSE), at fixed offered rates
// sustained for a fixed time. Each event goes to a client that has had no
// event for seconds, so each one is matched to the `client` message that
// carries it (by clientId and lastEventAt).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { spawnBridge } from "../../lib/bridge/stack";
import { freePort } from "../../lib/db/embedded";
import { connected, disconnected, envelope } from "../../lib/testing/events";
import { BENCH_TOKEN, startBenchApp } from "../lib/app";
import { spawnHelper } from "../lib/child";
import { sleep, type SuiteContext, type SuiteResult } from "../lib/context";
import { summariseProfiles, profileText } from "../lib/cpuprofile";
import { connectPublisher, publishAtRate, toMessage, type Message } from "../lib/publisher";
import { measured, type Figure } from "../lib/report";
import { latencySummary, percentile, round } from "../lib/stats";
import { openSse } from "../lib/sse-client";

export interface LatencyOptions {
  rates: number[];
  warmupSeconds: number;
  seconds: number;
  /** Distinct clients the events rotate over: each sees an event every clients/rate seconds. */
  clients: number;
  target: { rate: number; p99Ms: number };
}

export function latencyOptions(smoke: boolean): LatencyOptions {
  return smoke
    ? { rates: [200, 1_000], warmupSeconds: 1, seconds: 5, clients: 5_000, target: { rate: 1_000, p99Ms: 300 } }
    : { rates: [1_000, 5_000], warmupSeconds: 5, seconds: 60, clients: 30_000, target: { rate: 5_000, p99Ms: 300 } };
}

/** Seconds per window of the noise figure (p99 per window, min–max). */
const WINDOW_SECONDS = 10;

interface Pending {
  eventAt: number;
  sentAt: number;
}

interface RateResult {
  rate: number;
  achievedRate: number;
  sent: number;
  samples: number[];
  windowP99: number[];
  missed: number;
  resyncs: number;
  stalled: boolean;
}

async function measureRate(
  appUrl: string,
  publisher: MqttClient,
  rate: number,
  o: LatencyOptions,
  runTag: string,
): Promise<RateResult> {
  const pending = new Map<string, Pending[]>();
  const samples: { at: number; ms: number }[] = [];
  let recording = false;
  let resyncs = 0;
  const sse = await openSse(appUrl, (m, at) => {
    if (m.event === "resync") resyncs += recording ? 1 : 0;
    if (m.event !== "client") return;
    const client = JSON.parse(m.data) as { clientId: string; lastEventAt: string };
    const list = pending.get(client.clientId);
    if (list === undefined) return;
    const upTo = Date.parse(client.lastEventAt);
    const rest = list.filter((p) => {
      if (p.eventAt > upTo) return true;
      if (p.sentAt >= 0) samples.push({ at, ms: at - p.sentAt });
      return false;
    });
    if (rest.length === 0) pending.delete(client.clientId);
    else pending.set(client.clientId, rest);
  });
  try {
    await Promise.race([sse.listening, sleep(10_000).then(() => Promise.reject(new Error("SSE hub never started listening")))]);
    // Each client alternates connect/disconnect, one version per pair; the
    // event's timestamp is its send time (ms), which its `client` message echoes as lastEventAt.
    const steps = new Map<number, number>();
    let last = { id: "", eventAt: 0 };
    const make = (i: number): Message => {
      const n = i % o.clients;
      const step = steps.get(n) ?? 0;
      steps.set(n, step + 1);
      const id = `${runTag}-${n}`;
      const t = Date.now();
      last = { id, eventAt: t };
      const version = Math.floor(step / 2);
      return toMessage(envelope(step % 2 === 0 ? connected(id, t, version) : disconnected(id, t, version)));
    };
    // publishAtRate calls onPublish right after make(i): `last` is that event.
    const record = (warm: boolean) => (_i: number, at: number) => {
      const list = pending.get(last.id) ?? [];
      // Warm-up events are matched (to keep the map clean) but not recorded.
      list.push({ eventAt: last.eventAt, sentAt: warm ? -1 : at });
      pending.set(last.id, list);
    };
    await publishAtRate(publisher, rate, o.warmupSeconds, make, record(true));
    const offset = Math.round(rate * o.warmupSeconds);
    await sleep(1_000);
    recording = true;
    const started = performance.timeOrigin + performance.now();
    const result = await publishAtRate(publisher, rate, o.seconds, (i) => make(i + offset), record(false));
    const waitUntil = Date.now() + 5_000;
    while (Date.now() < waitUntil && [...pending.values()].some((l) => l.some((p) => p.sentAt >= 0))) await sleep(100);
    recording = false;
    let missed = 0;
    for (const list of pending.values()) missed += list.filter((p) => p.sentAt >= 0).length;
    const windows: number[][] = [];
    for (const s of samples) {
      const w = Math.floor((s.at - started) / 1000 / WINDOW_SECONDS);
      (windows[w] ??= []).push(s.ms);
    }
    return {
      rate,
      achievedRate: result.sent / result.seconds,
      sent: result.sent,
      samples: samples.map((s) => s.ms),
      windowP99: windows.filter((w) => w !== undefined && w.length >= 100).map((w) => percentile(w, 99)),
      missed,
      resyncs,
      stalled: result.stalled,
    };
  } finally {
    sse.close();
  }
}

export async function runLatencySuite(ctx: SuiteContext, o: LatencyOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await ctx.server.scratch("latency");
  const profileDir = ctx.profile ? path.join(ctx.resultsDir, "profiles", "latency-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  const broker = spawnHelper("bench/processes/broker.ts");
  const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-latency-spool-"));
  const results: RateResult[] = [];
  const notes: string[] = [];
  let bridge: ReturnType<typeof spawnBridge> | undefined;
  let publisher: MqttClient | undefined;
  try {
    const urls = await broker.line<{ tcpUrl: string; wsUrl: string }>((l) => typeof l.wsUrl === "string", 30_000);
    const metricsPort = await freePort();
    bridge = spawnBridge({
      MQTT_URL: urls.wsUrl,
      INGEST_URL: `${app.url}/api/ingest`,
      INGEST_TOKEN: BENCH_TOKEN,
      BRIDGE_SPOOL_DIR: spoolDir,
      BRIDGE_CLIENT_ID: `bench-latency-${process.pid}`,
      BRIDGE_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
    });
    const ready = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${metricsPort}/healthz`).then((r) => r.status === 200, () => false))) {
      if (Date.now() > ready || bridge.child.exitCode !== null) throw new Error(`bridge not healthy:\n${bridge.output()}`);
      await sleep(100);
    }
    publisher = await connectPublisher(urls.tcpUrl);
    for (const rate of o.rates) {
      log(`latency: ${rate} ev/s for ${o.seconds} s (after ${o.warmupSeconds} s warm-up) over ${o.clients} clients`);
      const r = await measureRate(app.url, publisher, rate, o, `l${rate}`);
      results.push(r);
      const s = latencySummary(r.samples);
      log(
        `latency @${rate}/s: achieved ${Math.round(r.achievedRate)}/s, p50 ${round(s.p50)} ms, p95 ${round(s.p95)} ms, p99 ${round(s.p99)} ms, max ${round(s.max)} ms; ${r.samples.length} matched, ${r.missed} missed, ${r.resyncs} resyncs`,
      );
    }
  } finally {
    await publisher?.endAsync();
    if (bridge !== undefined) {
      const child = bridge.child;
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    }
    await broker.stop();
    await app.stop();
    rmSync(spoolDir, { recursive: true, force: true });
    await db.drop();
  }
  const figures: Figure[] = [];
  for (const r of results) {
    const s = latencySummary(r.samples);
    const detail = `${r.samples.length.toLocaleString("en-US")} events matched, ${r.missed} missed, ${r.resyncs} resyncs; offered ${Math.round(r.achievedRate)}/s${r.stalled ? ", publisher STALLED" : ""}`;
    for (const [label, value] of [["p50", s.p50], ["p95", s.p95], ["p99", s.p99]] as const) {
      const isTarget = label === "p99" && r.rate === o.target.rate;
      figures.push({
        section: "3. latency",
        ...measured(`publish → SSE \`event: client\`, ${label} at ${r.rate.toLocaleString("en-US")} ev/s for ${o.seconds} s`, "ms", label === "p99" ? r.windowP99 : [], value),
        detail: label === "p99" ? detail : undefined,
        target: isTarget
          ? { text: `p99 < ${o.target.p99Ms} ms, all delivered`, met: value < o.target.p99Ms && r.missed === 0 && !r.stalled }
          : undefined,
        note: label === "p99" ? `noise: p99 per ${WINDOW_SECONDS} s window` : undefined,
      });
    }
  }
  if (ctx.profile && profileDir !== undefined) {
    for (const s of summariseProfiles(profileDir, 12)) notes.push(`latency-load app CPU profile\n${profileText(s)}`);
  }
  return {
    figures,
    details: Object.fromEntries(
      results.map((r) => [r.rate, { ...latencySummary(r.samples), achievedRate: r.achievedRate, sent: r.sent, missed: r.missed, resyncs: r.resyncs, windowP99: r.windowP99, stalled: r.stalled }]),
    ),
    notes,
  };
}
