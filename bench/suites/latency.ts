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
import { startMosquitto } from "../../test/support/mosquitto";
import { BENCH_TOKEN, startBenchApp } from "../lib/app";
import { spawnHelper } from "../lib/child";
import { sleep, type SuiteContext, type SuiteResult } from "../lib/context";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import { connectPublisher } from "../lib/publisher";
import { measured, type Figure } from "../lib/report";
import { latencySummary, round } from "../lib/stats";

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

import {
  WINDOW_SECONDS,
  BrokerKind,
  PhaseResult,
  checkpointText,
  Bridge,
  measurePhase,
} from "./latency-phase";

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
  notes.push(...profileNotes(profileDir, "latency-load app CPU profile"));
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
