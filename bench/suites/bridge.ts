// 2. Bridge: events/s from the broker over WebSocket through the bridge
// (spool, batches, POST /api/ingest) into PostgreSQL, next to a bare mqtt.js
// subscriber's receive rate in the same setup (same broker, WebSocket, QoS 1,
// persistent session as the bridge's, same messages; a clean-session
// subscriber is measured too, for context). Also 6. (part): the bridge's and
// the app's memory under it.
// Each run gets a fresh broker so no persistent session of an earlier run
// makes the broker queue for an absent subscriber, and a CHECKPOINT first.
// The bare subscriber (persistent session) runs before and after the bridge;
// the bridge is paired with the mean of the two.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { BATCH_DEFAULTS } from "../../lib/bridge/config";
import { startFakeIngest } from "../../test/support/fake-ingest";
import { BENCH_TOKEN, startBenchApp } from "../lib/app";
import { bareRun, checkpoint, startBroker } from "../lib/bridge-probes";
import { type Suite } from "../lib/context";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import { truncateAll, withClient } from "../lib/database";
import { parentPid } from "../lib/process-cpu";
import { toMessage } from "../lib/publisher";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { median, round } from "../lib/stats";
import { lifecycleHistory } from "../lib/workload";
import { bridgeRun, routeAtBridgeConcurrency, cpuNote, bareCpuNote } from "./bridge-run";

export interface BridgeBenchOptions {
  events: number;
  clients: number;
  /** Every run stops here at the latest. */
  deadlineMs: number;
}

export function bridgeOptions(smoke: boolean): BridgeBenchOptions {
  return smoke
    ? { events: 3_000, clients: 300, deadlineMs: 60_000 }
    : { events: 60_000, clients: 6_000, deadlineMs: 5 * 60_000 };
}

export const runBridgeSuite: Suite<BridgeBenchOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("bridge");
  const notes: string[] = [];
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "bridge-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  const bridgeProfileDir = ctx.profile ? path.join(PROFILES_DIR, "bridge-process") : undefined;
  if (bridgeProfileDir !== undefined) {
    rmSync(bridgeProfileDir, { recursive: true, force: true });
    mkdirSync(bridgeProfileDir, { recursive: true });
  }
  const bridgeRates: number[] = [];
  /** The same bridge into an endpoint that answers 200 and stores nothing: the bridge's own ceiling here. */
  const nullRates: number[] = [];
  const standIn = await startFakeIngest({ token: BENCH_TOKEN });
  /** Per run, the mean of the bare subscriber's runs before and after the bridge's. */
  const bareRates: number[] = [];
  const bareEachRates: number[] = [];
  const bareCleanRates: number[] = [];
  const routeRates: number[] = [];
  const bridgeIdle: number[] = [];
  const bridgePeak: number[] = [];
  const appPeak: number[] = [];
  const meanBatches: number[] = [];
  /** CPU microseconds per event of each component, per run. */
  const cpuPerEvent: Record<string, number>[] = [];
  /** The same for the bare subscriber's run (persistent session): broker, publisher (self), subscriber. */
  const bareCpuPerEvent: Record<string, number>[] = [];
  // The PostgreSQL server's processes: the postmaster is a backend's parent.
  const postgresPid = await withClient(db.url, async (c) =>
    parentPid((await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid),
  );
  log(`bridge: ${o.events} events over ${o.clients} clients per run, ${ctx.runs} run(s)`);
  try {
    for (let run = 1; run <= ctx.runs; run += 1) {
      await truncateAll(db.url);
      // The suites before this one leave WAL behind: a checkpoint that started
      // in the middle of a bridge run would be charged to the bridge alone.
      await checkpoint(db.url, log);
      const prefix = `bridge-${run}`;
      const messages = [...lifecycleHistory(o.events, o.clients, prefix)].map(toMessage);
      const broker = await startBroker();
      try {
        /** The bare subscriber on this run's messages: a persistent session or a clean one. */
        const bareSubscriber = (persistent: boolean) =>
          bareRun(broker.urls, messages, `${prefix}-`, o.deadlineMs, persistent, broker.helper.pid);
        // The clean-session run goes first: it also warms up the fresh broker.
        bareCleanRates.push((await bareSubscriber(false)).rate);
        const bare = await bareSubscriber(true);
        bareCpuPerEvent.push(bare.cpu);
        const r = await bridgeRun(app, broker.urls, messages, o.deadlineMs, run, bridgeProfileDir, {
          broker: broker.helper.pid,
          postgres: postgresPid,
        });
        // The bare subscriber again, right after: the bridge is paired with the
        // mean of the runs on either side of it, so a drift of the machine's
        // speed during the run (a bare run lasts 3 s) weighs less.
        const bareAfter = await bareSubscriber(true);
        bareRates.push((bare.rate + bareAfter.rate) / 2);
        bareEachRates.push(bare.rate, bareAfter.rate);
        cpuPerEvent.push(
          Object.fromEntries(Object.entries(r.cpu).map(([k, s]) => [k, (s * 1e6) / o.events])),
        );
        bridgeRates.push(r.rate);
        meanBatches.push(r.meanBatch);
        nullRates.push(
          (
            await bridgeRun(
              app,
              broker.urls,
              messages,
              o.deadlineMs,
              run,
              undefined,
              { broker: broker.helper.pid, postgres: undefined },
              standIn.url,
            )
          ).rate,
        );
        standIn.envelopes.length = 0; // it keeps what it was sent: 60,000 envelopes a run
        bridgeIdle.push(r.idleRss);
        bridgePeak.push(r.peakRss);
        appPeak.push(r.appPeakRss);
      } finally {
        await broker.helper.stop();
      }
      const stored = await withClient(
        db.url,
        async (c) =>
          (
            await c.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM lifecycle_event WHERE client_id LIKE $1",
              [`${prefix}-%`],
            )
          ).rows[0]!.n,
      );
      if (stored !== o.events)
        throw new Error(`bridge run ${run}: ${stored} events stored, ${o.events} published`);
      await truncateAll(db.url);
      routeRates.push(await routeAtBridgeConcurrency(app, messages));
      log(
        `bridge run ${run}/${ctx.runs}: bridge ${Math.round(bridgeRates.at(-1)!)} ev/s, bare subscriber ${Math.round(bareRates.at(-1)!)} ev/s (${Math.round(bareEachRates.at(-2)!)} before, ${Math.round(bareEachRates.at(-1)!)} after; clean session ${Math.round(bareCleanRates.at(-1)!)}), the route alone at the bridge's concurrency ${Math.round(routeRates.at(-1)!)} ev/s; the bridge into a no-op endpoint ${Math.round(nullRates.at(-1)!)} ev/s; ${Math.round(meanBatches.at(-1)!)} events per ingest request on average; bridge RSS ${Math.round(bridgeIdle.at(-1)!)} → ${Math.round(bridgePeak.at(-1)!)} MiB`,
      );
    }
  } finally {
    await standIn.stop();
    await app.stop();
    await db.drop();
  }
  const ratio = pairedRatio(bridgeRates, bareRates);
  const figures: Figure[] = [
    {
      section: "2. bridge",
      ...measured(
        `broker → WebSocket → bridge → ingest → PostgreSQL, ${o.events.toLocaleString("en-US")} events`,
        "ev/s",
        bridgeRates,
      ),
      limit: measured(
        "bare mqtt.js subscriber, same broker/WS/QoS 1/persistent session",
        "ev/s",
        bareRates,
      ),
      ratioToLimit: ratio,
      target: { text: "≥ 70% of the bare subscriber", met: ratio >= 0.7 },
    },
    {
      section: "2. bridge",
      ...measured(
        "the same bridge throughput vs a bare subscriber with a clean session (cheaper for the broker)",
        "ev/s",
        bridgeRates,
      ),
      limit: measured("bare mqtt.js subscriber, clean session", "ev/s", bareCleanRates),
      ratioToLimit: pairedRatio(bridgeRates, bareCleanRates),
    },
    {
      section: "2. bridge",
      ...measured(
        `the same bridge throughput vs the ingest route alone with the bridge's batching (${BATCH_DEFAULTS.maxEvents}) and concurrency (${BATCH_DEFAULTS.maxInFlight})`,
        "ev/s",
        bridgeRates,
      ),
      limit: measured(
        `POST /api/ingest, ${BATCH_DEFAULTS.maxInFlight} senders, same events`,
        "ev/s",
        routeRates,
      ),
      ratioToLimit: pairedRatio(bridgeRates, routeRates),
    },
    {
      section: "2. bridge",
      ...measured(
        "broker → WebSocket → bridge → an endpoint that answers 200 and stores nothing (the bridge's own ceiling here)",
        "ev/s",
        nullRates,
      ),
      limit: measured("bare mqtt.js subscriber, persistent session", "ev/s", bareRates),
      ratioToLimit: pairedRatio(nullRates, bareRates),
    },
    {
      section: "6. memory",
      ...measured("bridge RSS, peak under the bridge load", "MiB", bridgePeak),
      baseline: measured("idle, subscribed", "MiB", bridgeIdle),
      ratioToBaseline: median(bridgePeak) / median(bridgeIdle),
    },
    {
      section: "6. memory",
      ...measured("app RSS, peak under the bridge load", "MiB", appPeak),
    },
  ];
  notes.push(
    `bridge: ${round(ratio * 100)}% of the bare subscriber's receive rate (persistent session, as the bridge's; ${round(pairedRatio(bridgeRates, bareCleanRates) * 100)}% of a clean-session one) and ${round(pairedRatio(bridgeRates, routeRates) * 100)}% of what the ingest route alone takes at the bridge's batching and concurrency.`,
  );
  notes.push(cpuNote(cpuPerEvent, median(bridgeRates)));
  notes.push(bareCpuNote(bareCpuPerEvent, median(bareRates)));
  notes.push(
    `bridge batches: ${meanBatches.map((b) => Math.round(b)).join(", ")} events per ingest request on average (per run).`,
  );
  notes.push(...profileNotes(profileDir, "bridge-load app CPU profile"));
  notes.push(...profileNotes(bridgeProfileDir, "bridge process CPU profile"));
  return {
    figures,
    details: {
      options: o,
      cpuMicrosecondsPerEvent: cpuPerEvent,
      bareCpuMicrosecondsPerEvent: bareCpuPerEvent,
      bridgeRates,
      bareRates,
      bareRatesBeforeAndAfter: bareEachRates,
      bareCleanRates,
      routeRates,
      nullEndpointRates: nullRates,
      meanEventsPerRequest: meanBatches,
      bridgeIdleRssMiB: bridgeIdle,
      bridgePeakRssMiB: bridgePeak,
      appPeakRssMiB: appPeak,
    },
    notes,
  };
};
