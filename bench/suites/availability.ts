// 8. Availability: (a) ingest with the rollup maintained, as a ratio of the
// same transaction without it (storeBatch direct, interleaved runs); (b) the
// report's first page over 30 days and one device's availability, p95 over
// HTTP on the scale database (its rollup rebuilt first, timed); (c) the
// report CSV's rows/s next to PostgreSQL writing the same rows (COPY).
import { AvailabilityReportQuery } from "../../lib/availability/schemas";
import { availabilityReportCsvStatement } from "../../lib/availability/report";
import { startBenchApp, type BenchApp } from "../lib/app";
import { inlineForCopy } from "../lib/capture-sql";
import type { Suite, SuiteContext } from "../lib/context";
import { copyTo } from "../lib/copy";
import { withClient } from "../lib/database";
import { directRun, ingestLoad, storeDirect, type IngestLoad } from "../lib/direct-ingest";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { latencySummary, median, round } from "../lib/stats";
import { scaleDatabase } from "./scale-db";

export interface AvailabilityOptions {
  /** (a)'s load. */
  ingest: IngestLoad;
  samples: number;
  warmup: number;
  targetP95Ms: number;
  targetIngestRatio: number;
}

export function availabilityOptions(smoke: boolean): AvailabilityOptions {
  return {
    ingest: ingestLoad(smoke),
    samples: smoke ? 5 : 40,
    warmup: smoke ? 1 : 3,
    targetP95Ms: 500,
    targetIngestRatio: 0.85,
  };
}

const DAY = 86_400_000;
const RUN_DEADLINE_MS = 10 * 60_000;
const SECTION = "8. availability";

/** (a) storeBatch with and without the rollup, the same batches, runs interleaved. */
async function ingestRatio(ctx: SuiteContext, o: AvailabilityOptions): Promise<Figure> {
  const db = await ctx.server.scratch("availability-ingest");
  const run = directRun(db.url, o.ingest, RUN_DEADLINE_MS);
  const withRollup: number[] = [];
  const without: number[] = [];
  try {
    for (let n = 1; n <= ctx.runs + 1; n += 1) {
      for (const maintain of n % 2 === 0 ? [true, false] : [false, true]) {
        const d = await storeDirect(run, { availability: maintain, online: false });
        // The first pair warms caches and plans: not counted.
        if (n > 1) (maintain ? withRollup : without).push(d.processed / d.seconds);
      }
      if (n > 1)
        ctx.log(
          `availability ingest run ${n - 1}/${ctx.runs}: with rollup ${Math.round(withRollup.at(-1)!)} ev/s, without ${Math.round(without.at(-1)!)} ev/s`,
        );
    }
  } finally {
    await run.pool.end();
  }
  const ratio = pairedRatio(withRollup, without);
  return {
    section: SECTION,
    ...measured(
      `ingest (storeBatch direct, ${o.ingest.events.toLocaleString("en-US")} events, ${o.ingest.senders} senders) with the rollup maintained`,
      "ev/s",
      withRollup,
    ),
    baseline: measured("the same without the rollup", "ev/s", without),
    ratioToBaseline: ratio,
    target: {
      text: `≥ ${o.targetIngestRatio * 100}% of ingest without it`,
      met: ratio >= o.targetIngestRatio,
    },
  };
}

async function p95(app: BenchApp, o: AvailabilityOptions, path: (i: number) => string) {
  const samples: number[] = [];
  for (let i = -o.warmup; i < o.samples; i += 1) {
    const started = performance.now();
    const response = await app.fetch(path(Math.abs(i)));
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path(i)} answered ${response.status}`);
    if (i === -o.warmup && body.includes('"items":[]'))
      throw new Error(`${path(i)} answered an empty report`);
    if (i >= 0) samples.push(performance.now() - started);
  }
  return latencySummary(samples);
}

export const runAvailabilitySuite: Suite<AvailabilityOptions> = async (ctx, o) => {
  const figures: Figure[] = [await ingestRatio(ctx, o)];
  // The scale data is loaded with COPY, not through ingest: its load built the
  // rollup as an upgrade would (rebuildAvailability), timed.
  const db = await scaleDatabase(ctx);
  const rebuildSeconds = db.load.availability;
  const clients = db.counts.clients;
  figures.push({
    section: SECTION,
    ...measured(
      `rollup rebuilt from ${db.counts.connections.toLocaleString("en-US")} connections (npm run availability:rebuild)`,
      "clients/s",
      [clients / rebuildSeconds],
    ),
    detail: `${round(rebuildSeconds)} s for ${clients.toLocaleString("en-US")} clients${db.reused ? ", when the kept database was generated" : ""}`,
  });

  const range = () =>
    `from=${new Date(db.now - 30 * DAY).toISOString()}&to=${new Date(db.now).toISOString()}`;
  const reads: [string, (i: number) => string][] = [
    [
      "report, first page (50) over 30 days, worst first",
      () => `/api/reports/availability?${range()}`,
    ],
    [
      "report, label-filtered (fw=4.1.3, 15% of the fleet)",
      () => `/api/reports/availability?${range()}&label=fw:4.1.3`,
    ],
    [
      "one device over 30 days, with its day strip",
      (i) => `/api/clients/${encodeURIComponent(db.sampleClientId(i))}/availability?${range()}`,
    ],
  ];
  const app = await startBenchApp({ databaseUrl: db.url });
  try {
    for (const [name, path] of reads) {
      const s = await p95(app, o, path);
      ctx.log(`availability: ${name}: p95 ${round(s.p95)} ms`);
      figures.push({
        section: SECTION,
        ...measured(
          `${name}, p95 over HTTP (${clients.toLocaleString("en-US")} clients)`,
          "ms",
          [],
          s.p95,
        ),
        detail: `p50 ${round(s.p50)} ms, max ${round(s.max)} ms, n=${s.n}`,
        target: { text: `p95 < ${o.targetP95Ms} ms`, met: s.p95 < o.targetP95Ms },
      });
    }

    const csvRates: number[] = [];
    const copyRates: number[] = [];
    let rows = 0;
    for (let run = 0; run <= ctx.runs; run += 1) {
      const started = performance.now();
      ctx.log(`availability: report CSV run ${run}`);
      const response = await app.fetch(`/api/reports/availability.csv?${range()}`, {
        signal: AbortSignal.timeout(120_000),
      });
      if (response.status !== 200 || response.body === null)
        throw new Error(`report CSV answered ${response.status}`);
      let newlines = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (let i = 0; i < value.length; i += 1) if (value[i] === 10) newlines += 1;
      }
      const seconds = (performance.now() - started) / 1000;
      rows = newlines - 1;
      ctx.log(
        `availability: report CSV ${rows} rows in ${round(seconds)} s; COPY of the same query`,
      );
      const copied = await withClient(db.url, async (c) => {
        // As the route reads it: the ranking when it can.
        const statement = await availabilityReportCsvStatement(
          c,
          AvailabilityReportQuery.parse({ from: String(db.now - 30 * DAY), to: String(db.now) }),
        );
        const text = inlineForCopy(c, statement);
        const t = performance.now();
        const r = await copyTo(c, `COPY (${text}) TO STDOUT WITH (FORMAT csv)`);
        return { ...r, seconds: (performance.now() - t) / 1000 };
      });
      if (copied.rows !== rows) throw new Error(`report CSV: ${rows} rows, COPY ${copied.rows}`);
      // The first run loads the route's code: not counted.
      if (run > 0) {
        csvRates.push(rows / seconds);
        copyRates.push(copied.rows / copied.seconds);
      }
    }
    figures.push({
      section: SECTION,
      ...measured(
        `GET /api/reports/availability.csv, 30 days: ${rows.toLocaleString("en-US")} rows`,
        "rows/s",
        csvRates,
      ),
      limit: measured("COPY (same query) TO STDOUT CSV", "rows/s", copyRates),
      ratioToLimit: pairedRatio(csvRates, copyRates),
      detail: `median ${round(median(csvRates))} rows/s`,
    });
  } finally {
    await app.stop();
  }
  return { figures, details: { options: o, counts: db.counts }, notes: [] };
};
