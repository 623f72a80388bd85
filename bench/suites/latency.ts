// 3. Latency: publish on the broker → `event: client` on an SSE connection,
// through the whole path (broker, bridge spool and batching, POST
// /api/ingest, commit, NOTIFY, the hub's read, SSE), at fixed offered rates
// sustained for a fixed time. Each event goes to a client that has had no
// event for seconds, so each one is matched to the `client` message that
// carries it (by clientId and lastEventAt). Between phases the bridge drains.
// The rates run on the embedded Aedes broker, then (mosquittoRates) on a
// private Mosquitto with the same bridge, app and database: the same path
// behind a broker written in C, to tell the broker's share from the rest.
//
// Client IDs are 9 characters (`r1-012345`) so a 500-event batch's NOTIFY
// payload fits lib/ingest's 7,000-byte cap; a short probe at the target rate
// with 36-character IDs (UUID-sized, common for AWS IoT things) shows what
// happens when it does not (the stream sends `resync` instead of `client`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { spawnBridge } from "../../test/support/bridge-stack";
import { freePort } from "../../lib/db/embedded";
import { connected, disconnected, envelope } from "../../test/support/events";
import { startMosquitto } from "../../test/support/mosquitto";
import { BENCH_TOKEN, startBenchApp } from "../lib/app";
import { spawnHelper } from "../lib/child";
import { sleep, type SuiteContext, type SuiteResult } from "../lib/context";
import { withClient } from "../lib/database";
import { PROFILES_DIR, profileText, summariseProfiles } from "../lib/cpuprofile";
import { connectPublisher, publishAtRate, toMessage, type Message } from "../lib/publisher";
import { measured, type Figure } from "../lib/report";
import { latencySummary, percentile, round } from "../lib/stats";
import { openSse, type AppFetch } from "../lib/sse-client";

export interface LatencyOptions {
  /** Offered rates through the embedded (Aedes) broker. */
  rates: number[];
  /** Offered rates through a private Mosquitto instead (same bridge, app and database). */
  mosquittoRates: number[];
  warmupSeconds: number;
  seconds: number;
  /** Distinct clients the events rotate over: each sees an event every clients/rate seconds. */
  clients: number;
  /** Length of the long-ID probe at the target rate (0: skip). */
  probeSeconds: number;
  target: { rate: number; p99Ms: number };
}

export function latencyOptions(smoke: boolean): LatencyOptions {
  return smoke
    ? {
        rates: [200, 1_000],
        mosquittoRates: [1_000],
        warmupSeconds: 1,
        seconds: 3,
        clients: 5_000,
        probeSeconds: 2,
        target: { rate: 1_000, p99Ms: 300 },
      }
    : {
        rates: [1_000, 5_000],
        mosquittoRates: [5_000],
        warmupSeconds: 5,
        seconds: 60,
        clients: 30_000,
        probeSeconds: 10,
        target: { rate: 5_000, p99Ms: 300 },
      };
}

/** Seconds per window of the noise figure (p99 per window, min–max). */
const WINDOW_SECONDS = 10;

interface Pending {
  eventAt: number;
  sentAt: number;
}

type BrokerKind = "embedded" | "mosquitto";

interface PhaseResult {
  broker: BrokerKind;
  rate: number;
  achievedRate: number;
  sent: number;
  samples: number[];
  windowP99: number[];
  missed: number;
  resyncs: number;
  /** Events published but not yet acknowledged by ingest when publishing stopped. */
  backlogAtEnd: number;
  stalled: boolean;
  /** PostgreSQL checkpoints during the run, and the buffers they wrote: one can hold commits up on a slow disk. */
  checkpoints: Checkpoints;
}

interface Checkpoints {
  count: number;
  buffers: number;
}

/** The server's checkpoints so far (pg_stat_checkpointer from PostgreSQL 17 on); NaN where neither view answers. */
async function checkpointsSoFar(url: string): Promise<Checkpoints> {
  const queries = [
    "SELECT checkpoints_timed + checkpoints_req AS count, buffers_checkpoint AS buffers FROM pg_stat_bgwriter",
    "SELECT num_timed + num_requested AS count, buffers_written AS buffers FROM pg_stat_checkpointer",
  ];
  for (const sql of queries) {
    const row = await withClient(url, (c) => c.query<{ count: string; buffers: string }>(sql)).then(
      (r) => r.rows[0],
      () => undefined,
    );
    if (row !== undefined) return { count: Number(row.count), buffers: Number(row.buffers) };
  }
  return { count: Number.NaN, buffers: Number.NaN };
}

function checkpointText(c: Checkpoints): string {
  return `${c.count} PostgreSQL checkpoint(s) during the run (${c.buffers} buffers written)`;
}

interface Bridge {
  forwarded(): Promise<number>;
}

async function drained(
  bridge: Bridge,
  published: () => number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await bridge.forwarded()) >= published()) return true;
    await sleep(200);
  }
  return false;
}

async function measurePhase(
  broker: BrokerKind,
  appFetch: AppFetch,
  publisher: MqttClient,
  bridge: Bridge,
  rate: number,
  seconds: number,
  warmupSeconds: number,
  clients: number,
  clientId: (n: number) => string,
  databaseUrl: string,
): Promise<PhaseResult> {
  const pending = new Map<string, Pending[]>();
  const samples: { at: number; ms: number }[] = [];
  let recording = false;
  let resyncs = 0;
  const sse = await openSse(appFetch, (m, at) => {
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
    await Promise.race([
      sse.listening,
      sleep(10_000).then(() => Promise.reject(new Error("SSE hub never started listening"))),
    ]);
    // Each client alternates connect/disconnect, one version per pair; the
    // event's timestamp is its send time (ms), which its `client` message echoes as lastEventAt.
    const steps = new Map<number, number>();
    let last = { id: "", eventAt: 0 };
    let made = 0;
    const make = (i: number): Message => {
      const n = i % clients;
      const step = steps.get(n) ?? 0;
      steps.set(n, step + 1);
      const id = clientId(n);
      const t = Date.now();
      last = { id, eventAt: t };
      made += 1;
      const version = Math.floor(step / 2);
      return toMessage(
        envelope(step % 2 === 0 ? connected(id, t, version) : disconnected(id, t, version)),
      );
    };
    // publishAtRate calls onPublish right after make(i): `last` is that event.
    const record = (warm: boolean) => (_i: number, at: number) => {
      const list = pending.get(last.id) ?? [];
      // Warm-up events are matched (to keep the map clean) but not recorded.
      list.push({ eventAt: last.eventAt, sentAt: warm ? -1 : at });
      pending.set(last.id, list);
    };
    const before = await bridge.forwarded();
    if (warmupSeconds > 0) {
      await publishAtRate(publisher, rate, warmupSeconds, make, record(true));
      await drained(bridge, () => before + made, 30_000);
    }
    const checkpoints0 = await checkpointsSoFar(databaseUrl);
    recording = true;
    const started = performance.timeOrigin + performance.now();
    const offset = made;
    const result = await publishAtRate(
      publisher,
      rate,
      seconds,
      (i) => make(i + offset),
      record(false),
    );
    const backlogAtEnd = Math.max(0, before + made - (await bridge.forwarded()));
    // Whatever is still queued gets up to 30 s to arrive (it counts, with its real latency).
    await drained(bridge, () => before + made, 30_000);
    const waitUntil = Date.now() + 3_000;
    while (
      Date.now() < waitUntil &&
      [...pending.values()].some((l) => l.some((p) => p.sentAt >= 0))
    )
      await sleep(100);
    recording = false;
    const checkpoints1 = await checkpointsSoFar(databaseUrl);
    let missed = 0;
    for (const list of pending.values()) missed += list.filter((p) => p.sentAt >= 0).length;
    const windows: number[][] = [];
    for (const s of samples) {
      const w = Math.floor((s.at - started) / 1000 / WINDOW_SECONDS);
      (windows[w] ??= []).push(s.ms);
    }
    return {
      broker,
      rate,
      achievedRate: result.sent / result.seconds,
      sent: result.sent,
      samples: samples.map((s) => s.ms),
      windowP99: windows
        .filter((w) => w !== undefined && w.length >= 100)
        .map((w) => percentile(w, 99)),
      missed,
      resyncs,
      backlogAtEnd,
      stalled: result.stalled,
      checkpoints: {
        count: checkpoints1.count - checkpoints0.count,
        buffers: checkpoints1.buffers - checkpoints0.buffers,
      },
    };
  } finally {
    sse.close();
  }
}

export async function runLatencySuite(ctx: SuiteContext, o: LatencyOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await ctx.server.scratch("latency");
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "latency-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  const results: PhaseResult[] = [];
  let probe: PhaseResult | undefined;
  const notes: string[] = [];

  /** One broker, a fresh bridge on it, the given rates (and the long-ID probe if asked). */
  async function onBroker(kind: BrokerKind, rates: number[], withProbe: boolean): Promise<void> {
    const embedded = kind === "embedded" ? spawnHelper("bench/processes/broker.ts") : undefined;
    const mosquitto = kind === "mosquitto" ? await startMosquitto() : undefined;
    const spoolDir = mkdtempSync(path.join(tmpdir(), "bench-latency-spool-"));
    let bridgeProcess: ReturnType<typeof spawnBridge> | undefined;
    let publisher: MqttClient | undefined;
    try {
      const urls =
        mosquitto ??
        (await embedded!.line<{ tcpUrl: string; wsUrl: string }>(
          (l) => typeof l.wsUrl === "string",
          30_000,
        ));
      const metricsPort = await freePort();
      bridgeProcess = spawnBridge({
        MQTT_URL: urls.wsUrl,
        INGEST_URL: `${app.url}/api/ingest`,
        INGEST_TOKEN: BENCH_TOKEN,
        BRIDGE_SPOOL_DIR: spoolDir,
        BRIDGE_CLIENT_ID: `bench-latency-${kind}-${process.pid}`,
        BRIDGE_METRICS_PORT: String(metricsPort),
        LOG_LEVEL: "warn",
      });
      const ready = Date.now() + 30_000;
      while (
        !(await fetch(`http://127.0.0.1:${metricsPort}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        ))
      ) {
        if (Date.now() > ready || bridgeProcess.child.exitCode !== null)
          throw new Error(`bridge not healthy:\n${bridgeProcess.output()}`);
        await sleep(100);
      }
      const bp = bridgeProcess;
      const bridge: Bridge = {
        async forwarded() {
          const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(
            (error: Error) => {
              throw new Error(
                `bridge metrics unreachable (${error.message}); bridge exit ${bp.child.exitCode ?? bp.child.signalCode}, output:\n${bp.output()}`,
              );
            },
          );
          return Number(
            /^bridge_events_forwarded_total (\d+)/m.exec(await response.text())?.[1] ?? 0,
          );
        },
      };
      publisher = await connectPublisher(urls.tcpUrl);
      // The publisher's own `connected` event is forwarded too (embedded broker): let it through first.
      await sleep(1_000);
      // Client IDs stay 9 characters: r0-012345 (embedded), m0-012345 (Mosquitto).
      const prefix = kind === "embedded" ? "r" : "m";
      for (const [k, rate] of rates.entries()) {
        log(
          `latency (${kind} broker): ${rate} ev/s for ${o.seconds} s (after ${o.warmupSeconds} s warm-up) over ${o.clients} clients`,
        );
        const r = await measurePhase(
          kind,
          app.fetch,
          publisher,
          bridge,
          rate,
          o.seconds,
          o.warmupSeconds,
          o.clients,
          (n) => `${prefix}${k}-${String(n).padStart(6, "0")}`,
          db.url,
        );
        results.push(r);
        const s = latencySummary(r.samples);
        log(
          `latency @${rate}/s (${kind}): offered ${Math.round(r.achievedRate)}/s, p50 ${round(s.p50)} ms, p95 ${round(s.p95)} ms, p99 ${round(s.p99)} ms, max ${round(s.max)} ms; ${r.samples.length} matched, ${r.missed} missed, ${r.resyncs} resyncs, backlog at end ${r.backlogAtEnd}; ${checkpointText(r.checkpoints)}`,
        );
      }
      if (withProbe && o.probeSeconds > 0) {
        // 36 characters, like a UUID thing name.
        const longId = (n: number) => `probe-${String(n).padStart(6, "0")}-`.padEnd(36, "x");
        probe = await measurePhase(
          kind,
          app.fetch,
          publisher,
          bridge,
          o.target.rate,
          o.probeSeconds,
          0,
          o.clients,
          longId,
          db.url,
        );
        log(
          `latency probe, 36-character IDs @${o.target.rate}/s: ${probe.samples.length} of ${probe.sent} events arrived as \`client\`, ${probe.resyncs} resyncs`,
        );
      }
    } finally {
      await publisher?.endAsync();
      if (bridgeProcess !== undefined) {
        const child = bridgeProcess.child;
        child.kill("SIGTERM");
        await new Promise((resolve) =>
          child.exitCode !== null ? resolve(null) : child.once("exit", resolve),
        );
      }
      await embedded?.stop();
      await mosquitto?.stop();
      rmSync(spoolDir, { recursive: true, force: true });
    }
  }

  try {
    await onBroker("embedded", o.rates, true);
    if (o.mosquittoRates.length > 0) await onBroker("mosquitto", o.mosquittoRates, false);
  } finally {
    await app.stop();
    await db.drop();
  }
  const figures: Figure[] = [];
  for (const r of results) {
    const s = latencySummary(r.samples);
    const detail = `${r.samples.length.toLocaleString("en-US")} of ${r.sent.toLocaleString("en-US")} events matched, ${r.missed} missed, ${r.resyncs} resyncs; ingest backlog when publishing stopped: ${r.backlogAtEnd}; ${checkpointText(r.checkpoints)}${r.stalled ? "; publisher STALLED" : ""}`;
    for (const [label, value] of [
      ["p50", s.p50],
      ["p95", s.p95],
      ["p99", s.p99],
    ] as const) {
      const isTarget = label === "p99" && r.rate === o.target.rate;
      const via = r.broker === "embedded" ? "" : ", Mosquitto as the broker";
      figures.push({
        section: "3. latency",
        ...measured(
          `publish → SSE \`event: client\`, ${label} at ${r.rate.toLocaleString("en-US")} ev/s for ${o.seconds} s${via}`,
          "ms",
          label === "p99" ? r.windowP99 : [],
          value,
        ),
        detail: label === "p99" ? detail : undefined,
        runsLabel: `p99s of ${WINDOW_SECONDS} s windows`,
        target: isTarget
          ? {
              text: `p99 < ${o.target.p99Ms} ms, all delivered`,
              met: value < o.target.p99Ms && r.missed === 0 && !r.stalled,
            }
          : undefined,
      });
    }
  }
  if (probe !== undefined) {
    figures.push({
      section: "3. latency",
      ...measured(
        `share of events arriving as \`event: client\` with 36-character client IDs at ${o.target.rate.toLocaleString("en-US")} ev/s (${o.probeSeconds} s)`,
        "%",
        [],
        (probe.samples.length / Math.max(1, probe.sent)) * 100,
      ),
      detail: `${probe.resyncs} \`resync\` messages instead${probe.samples.length > 0 ? `; p99 of those delivered ${round(latencySummary(probe.samples).p99)} ms` : ""}`,
    });
  }
  if (profileDir !== undefined) {
    for (const s of summariseProfiles(profileDir, 12))
      notes.push(`latency-load app CPU profile\n${profileText(s)}`);
  }
  const summary = (r: PhaseResult) => ({
    ...latencySummary(r.samples),
    achievedRate: r.achievedRate,
    sent: r.sent,
    missed: r.missed,
    resyncs: r.resyncs,
    backlogAtEnd: r.backlogAtEnd,
    windowP99: r.windowP99,
    stalled: r.stalled,
    checkpoints: r.checkpoints,
  });
  return {
    figures,
    details: {
      options: o,
      rates: Object.fromEntries(results.map((r) => [`${r.broker}@${r.rate}`, summary(r)])),
      longIdProbe: probe === undefined ? null : summary(probe),
    },
    notes,
  };
}
