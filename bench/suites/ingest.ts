// 1. Ingest: events/s through POST /api/ingest (the built app, derived state
// included), next to (a) the storage limit — COPY of the same rows into
// lifecycle_event, (b) the in-database limit — lib/ingest's own set-based
// transaction (storeBatch) called directly, no HTTP, no validation, and (c) a
// naive baseline — one Prisma create per event, one at a time (and, for
// comparison, at the route's concurrency), and (d) the AWS IoT rule action's
// route at one event per request, as AWS sends. Runs are interleaved so each
// path sees the same machine noise. Also 6. (part): the app's memory.
import os from "node:os";
import path from "node:path";
import { presenceConfig } from "../../lib/config";
import { createDatabase } from "../../lib/db/client";
import { parseItems, type ParsedBatch } from "../../lib/ingest/parse";
import type { Rollups } from "../../lib/ingest/rollups";
import { rebuildOnlineRollup, rollupLikes } from "../../lib/stats/online-rollup";
import { postBatch, startBenchApp } from "../lib/app";
import { awsRuleFigures, AwsRuleLoad } from "../lib/aws-rule";
import { drain, type Suite } from "../lib/context";
import { chunked, copyFrom, copyRow } from "../lib/copy";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import {
  ingestLoad,
  sendersPool,
  storeDirect,
  type DirectRun,
  type IngestLoad,
} from "../lib/direct-ingest";
import { truncateAll, withClient } from "../lib/database";
import { unpartitionedIngest } from "../lib/unpartitioned";
import { sampleMemory, rssMiB } from "../lib/process-memory";
import { timeStatements } from "../lib/statement-times";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { median, round } from "../lib/stats";
import { batches, lifecycleHistory } from "../lib/workload";
import { rollupFigures } from "./ingest-rollups";

export interface IngestOptions extends IngestLoad {
  /** The naive path is ~100× slower: it gets a sample of the events, bounded in time. */
  naiveEvents: number;
  naiveSeconds: number;
  /** (d) The AWS rule action's route, one event per request: a time-bounded sample. */
  awsRuleEvents: number;
  awsRuleSeconds: number;
}

export function ingestOptions(
  smoke: boolean,
  overrides: Partial<IngestOptions> = {},
): IngestOptions {
  return {
    ...ingestLoad(smoke),
    naiveEvents: smoke ? 1_000 : 10_000,
    naiveSeconds: smoke ? 3 : 30,
    awsRuleEvents: smoke ? 1_500 : 20_000,
    awsRuleSeconds: smoke ? 4 : 30,
    ...overrides,
  };
}

/** Every load stops here at the latest (a slow machine gives a partial, flagged figure). */
const RUN_DEADLINE_MS = 10 * 60_000;

function copyRows(parsed: readonly ParsedBatch[], receivedAt: Date): string[] {
  const received = receivedAt.toISOString();
  const rows: string[] = [];
  for (const batch of parsed) {
    for (const a of batch.accepted) {
      const e = a.event;
      rows.push(
        copyRow([
          a.dedupeKey,
          e.clientId,
          e.eventType,
          new Date(e.timestamp).toISOString(),
          received,
          e.sessionIdentifier,
          e.principalIdentifier,
          e.versionNumber,
          a.topic,
          a.canonical,
        ]),
      );
    }
  }
  return rows;
}

const COPY_SQL = `COPY lifecycle_event (dedupe_key, client_id, event_type, event_at, received_at,
  session_identifier, principal_identifier, version_number, topic, raw) FROM STDIN`;

async function verifyStored(url: string, events: number, clients: number): Promise<void> {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ events: number; clients: number }>(
      "SELECT (SELECT count(*)::int FROM lifecycle_event) AS events, (SELECT count(*)::int FROM client_state) AS clients",
    );
    const got = rows[0]!;
    if (got.events !== events || got.clients !== clients) {
      throw new Error(
        `expected ${events} events over ${clients} clients, found ${got.events} over ${got.clients}`,
      );
    }
  });
}

export const runIngestSuite: Suite<IngestOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("ingest");
  const notes: string[] = [];
  try {
    const all = [...lifecycleHistory(o.events, o.clients)];
    const envelopeBatches = batches(all, o.batchSize);
    const bodies = envelopeBatches.map((b) => ({ body: JSON.stringify(b), count: b.length }));
    const now = Date.now();
    const parsed = envelopeBatches.map((b) => parseItems(b, now));
    const copyChunks = [...chunked(copyRows(parsed, new Date()))];
    // With each payload parsed beforehand, as a handler would hold it: the
    // timed inserts should not also pay for JSON.parse.
    const naiveSample = parsed
      .flatMap((p) => p.accepted)
      .slice(0, o.naiveEvents)
      .map((a) => ({ ...a, raw: JSON.parse(a.canonical) as object }));
    log(
      `ingest: ${o.events} events over ${o.clients} clients, ${bodies.length} batches of ${o.batchSize}, ${o.senders} senders, ${ctx.runs} run(s)`,
    );

    const profileDir = ctx.profile ? path.join(PROFILES_DIR, "ingest") : undefined;
    const app = await startBenchApp({ databaseUrl: db.url, profileDir });
    const idleRss = rssMiB(app.pid);
    const route: number[] = [];
    const direct: number[] = [];
    const directNoRollup: number[] = [];
    const directFlat: number[] = [];
    const directNoAvailability: number[] = [];
    const directNoRollups: number[] = [];
    const copy: number[] = [];
    const naive: number[] = [];
    const naiveConcurrent: number[] = [];
    const awsRule = new AwsRuleLoad(all, o.awsRuleEvents, o.senders * 4, o.awsRuleSeconds);
    const appPeak: number[] = [];
    const config = presenceConfig();
    const pool = sendersPool(db.url, o.senders);
    const directRun: DirectRun = {
      url: db.url,
      pool,
      parsed,
      senders: o.senders,
      deadlineMs: RUN_DEADLINE_MS,
      config,
    };
    const statements = timeStatements(pool);
    const orm = createDatabase(db.url, o.senders);
    // (b') lifecycle_event unpartitioned, as before migration 20261205100000.
    const flat = await unpartitionedIngest(ctx.server, o.senders);
    try {
      for (let run = 1; run <= ctx.runs; run += 1) {
        // Route: the whole app over HTTP, the online chart's rollup kept as in production.
        await truncateAll(db.url);
        await rebuildOnlineRollup(pool, rollupLikes());
        const memory = sampleMemory(app.pid);
        const r = await drain(bodies, o.senders, RUN_DEADLINE_MS, (b) =>
          postBatch(app.url, b.body, b.count),
        );
        appPeak.push(memory.stop().peakMiB);
        if (!r.timedOut) await verifyStored(db.url, o.events, o.clients);
        route.push(r.processed / r.seconds);

        // (d) The same app through POST /api/ingest/aws-rule, as AWS sends.
        await awsRule.run(app.url, () => truncateAll(db.url));

        // (b) The same transaction, called directly with pre-validated batches,
        // both rollups maintained as in production; (b1) without the
        // availability rollup; (b2) without the online chart's; (b0) with
        // neither (today's ingest before them). Order rotates run by run.
        const variants: [Rollups, number[]][] = [
          [{ availability: true, online: true }, direct],
          [{ availability: false, online: true }, directNoAvailability],
          [{ availability: true, online: false }, directNoRollup],
          [{ availability: false, online: false }, directNoRollups],
        ];
        for (let v = 0; v < variants.length; v += 1) {
          const [rollups, rates] = variants[(v + run - 1) % variants.length]!;
          const d = await storeDirect(directRun, rollups);
          if (!d.timedOut) await verifyStored(db.url, o.events, o.clients);
          rates.push(d.processed / d.seconds);
        }
        const f = await flat.run(parsed, config, RUN_DEADLINE_MS);
        if (!f.timedOut) await verifyStored(flat.url, o.events, o.clients);
        directFlat.push(f.rate);

        // (a) COPY of the same rows into the same table (with its indexes).
        await truncateAll(db.url);
        const copied = await withClient(db.url, async (c) => {
          const started = performance.now();
          const n = await copyFrom(c, COPY_SQL, copyChunks);
          return { n, seconds: (performance.now() - started) / 1000 };
        });
        if (copied.n !== o.events) throw new Error(`COPY stored ${copied.n} of ${o.events} rows`);
        copy.push(copied.n / copied.seconds);

        // (c) Naive: one ORM insert per event, one at a time — how a handler
        // that loops over a batch and awaits each create runs, and the setup
        // of the issue's reference point (~770 ev/s). (c') is the same path
        // with the route's concurrency: its autocommits share WAL flushes.
        const naiveOne = async (a: (typeof naiveSample)[number]) => {
          const e = a.event;
          await orm.prisma.lifecycleEvent.create({
            data: {
              dedupeKey: a.dedupeKey,
              clientId: e.clientId,
              eventType: e.eventType,
              eventAt: new Date(e.timestamp),
              sessionIdentifier: e.sessionIdentifier,
              principalIdentifier: e.principalIdentifier,
              versionNumber: e.versionNumber === null ? null : BigInt(e.versionNumber),
              topic: a.topic,
              raw: a.raw,
            },
          });
          return 1;
        };
        await truncateAll(db.url);
        const n = await drain(naiveSample, 1, o.naiveSeconds * 1000, naiveOne);
        await truncateAll(db.url);
        const nc = await drain(naiveSample, o.senders, o.naiveSeconds * 1000, naiveOne);
        naiveConcurrent.push(nc.processed / nc.seconds);
        naive.push(n.processed / n.seconds);
        log(
          `ingest run ${run}/${ctx.runs}: route ${Math.round(route.at(-1)!)} ev/s${r.timedOut ? " (TIMED OUT)" : ""}, ${awsRule.lastRun()}, direct ${Math.round(direct.at(-1)!)} (without availability ${Math.round(directNoAvailability.at(-1)!)}, without the online rollup ${Math.round(directNoRollup.at(-1)!)}, without both ${Math.round(directNoRollups.at(-1)!)}, unpartitioned ${Math.round(directFlat.at(-1)!)}), load ${os.loadavg()[0]!.toFixed(1)}, COPY ${Math.round(copy.at(-1)!)}, naive ${Math.round(naive.at(-1)!)} (${n.processed} events), naive × ${o.senders} ${Math.round(naiveConcurrent.at(-1)!)} (${nc.processed} events); app peak RSS ${Math.round(appPeak.at(-1)!)} MiB`,
        );
      }
    } finally {
      await pool.end();
      await flat.close();
      await orm.close();
      await app.stop();
    }

    const breakdown = statements.report();
    notes.push(
      `ingest: where the direct transaction's time goes (all runs, summed over connections)\n${breakdown}`,
    );
    const section = "1. ingest";
    const routeM = measured("POST /api/ingest", "ev/s", route);
    const directM = measured("(b) storeBatch direct, no HTTP", "ev/s", direct);
    const naiveM = measured("(c) one Prisma create per event, one at a time", "ev/s", naive);
    const naiveConcurrentM = measured(
      `(c') one Prisma create per event, ${o.senders} senders`,
      "ev/s",
      naiveConcurrent,
    );
    const copyM = measured("(a) COPY into lifecycle_event", "ev/s", copy);
    const toDirect = pairedRatio(route, direct);
    const toNaive = pairedRatio(route, naive);
    const figures: Figure[] = [
      {
        section,
        ...routeM,
        name: `POST /api/ingest, ${o.events.toLocaleString("en-US")} events / ${o.clients.toLocaleString("en-US")} clients, batches of ${o.batchSize}, ${o.senders} senders`,
        limit: directM,
        baseline: naiveM,
        ratioToLimit: toDirect,
        ratioToBaseline: toNaive,
        target: { text: "≥ 60% of (b) and ≥ 15× (c)", met: toDirect >= 0.6 && toNaive >= 15 },
      },
      {
        section,
        ...routeM,
        name: "POST /api/ingest vs the naive path at the route's concurrency",
        baseline: naiveConcurrentM,
        ratioToBaseline: pairedRatio(route, naiveConcurrent),
      },
      ...awsRuleFigures(section, awsRule, routeM, route),
      {
        section,
        ...routeM,
        name: "POST /api/ingest vs the storage limit",
        limit: copyM,
        ratioToLimit: pairedRatio(route, copy),
      },
      {
        section,
        ...directM,
        name: "(b) the set-based transaction vs the storage limit",
        limit: copyM,
        ratioToLimit: pairedRatio(direct, copy),
      },
      ...rollupFigures(section, directM, {
        direct,
        directNoAvailability,
        directNoRollup,
        directNoRollups,
        directFlat,
      }),
      {
        section: "6. memory",
        ...measured("app RSS, peak under the ingest load", "MiB", appPeak),
        baseline: measured("idle after start", "MiB", [idleRss]),
        ratioToBaseline: median(appPeak) / idleRss,
      },
    ];
    if (ctx.profile) notes.push(...profileNotes(profileDir, "ingest app CPU profile"));
    notes.push(
      `ingest: route at ${round(toDirect * 100)}% of the direct transaction and ${round(toNaive)}× the naive path (${round(pairedRatio(route, naiveConcurrent))}× it with ${o.senders} senders); the direct transaction reaches ${round(pairedRatio(direct, copy) * 100)}% of raw COPY.`,
    );
    return {
      figures,
      details: {
        options: o,
        route,
        direct,
        directNoRollup,
        directUnpartitioned: directFlat,
        directNoAvailability,
        directNoRollups,
        copy,
        naive,
        naiveConcurrent,
        awsRule: awsRule.single,
        awsRuleBatched: awsRule.batched,
        naiveSampleEvents: naiveSample.length,
        appIdleRssMiB: idleRss,
        appPeakRssMiB: appPeak,
      },
      notes,
    };
  } finally {
    await db.drop();
  }
};
