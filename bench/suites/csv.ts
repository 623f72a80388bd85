// 5. CSV export: rows/s and the app's peak memory streaming the fleet export
// (GET /api/export/connections.csv) of 100,000 and of 1,000,000 connection
// rows from the scale database (at --scale 1m: 10,000 and 1,000,000), and
// the availability report's CSV over 30 days (one firmware's clients and the
// whole fleet), each next to the limit of PostgreSQL producing the same rows
// as CSV itself (COPY (the query) TO STDOUT). Flat memory means the large
// export peaks no higher than the small one, give or take noise.
import path from "node:path";
import { connectionsSql } from "../../lib/clients/connections";
import { sql } from "../../lib/db/sql";
import { startBenchApp, type BenchApp } from "../lib/app";
import { inlineParams } from "../lib/capture-sql";
import type { ScaleName, SuiteContext, SuiteResult } from "../lib/context";
import { copyTo } from "../lib/copy";
import { PROFILES_DIR, profileNotes } from "../lib/cpuprofile";
import { withClient } from "../lib/database";
import { rssMiB, sampleMemory } from "../lib/process-memory";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { median, round } from "../lib/stats";
import { reportCsv } from "./csv-report";
import { scaleDatabase } from "./scale-db";

export interface CsvOptions {
  /** Allowed growth of the peak RSS from the small export to the large one. */
  flatToleranceMiB: number;
  timeoutMs: number;
}

export function csvOptions(smoke: boolean, scale: ScaleName = "100k"): CsvOptions {
  return {
    flatToleranceMiB: 32,
    timeoutMs: smoke ? 60_000 : scale === "1m" ? 15 * 60_000 : 5 * 60_000,
  };
}

export interface ExportRun {
  rows: number;
  bytes: number;
  seconds: number;
  idleMiB: number;
  peakMiB: number;
}

async function exportOnce(app: BenchApp, target: string, timeoutMs: number): Promise<ExportRun> {
  // Let the previous export's garbage go before reading the starting point.
  await new Promise((r) => setTimeout(r, 1_000));
  const idleMiB = rssMiB(app.pid);
  const memory = sampleMemory(app.pid, 50);
  const started = performance.now();
  const response = await app.fetch(
    target.startsWith("/") ? target : `/api/export/connections.csv${target}`,
    {
      signal: AbortSignal.timeout(timeoutMs),
    },
  );
  if (response.status !== 200 || response.body === null)
    throw new Error(`export answered ${response.status}`);
  let newlines = 0;
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { value: chunk, done } = await reader.read();
    if (done) break;
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i += 1) if (chunk[i] === 10) newlines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  const { peakMiB } = memory.stop();
  // The header is one line; no cell of this data holds a newline.
  return { rows: newlines - 1, bytes, seconds, idleMiB, peakMiB };
}

export async function runCsvSuite(ctx: SuiteContext, o: CsvOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await scaleDatabase(ctx);
  // At 1,000,000 clients the whole fleet's 10,000,000 connections would take
  // minutes per run: a tenth of it there, a hundredth as the small one.
  const small =
    ctx.scale === "1m" && !ctx.smoke
      ? { label: "1/1000 of the fleet (q=-g3-00)", query: "?q=-g3-00", pattern: "%-g3-00%" }
      : { label: "1/10 of the fleet (q=-g3-)", query: "?q=-g3-", pattern: "%-g3-%" };
  const large =
    ctx.scale === "1m" && !ctx.smoke
      ? { label: "1/10 of the fleet (q=-g3-)", query: "?q=-g3-", pattern: "%-g3-%" }
      : { label: "whole fleet", query: "", pattern: null };
  const smallRuns: ExportRun[] = [];
  const largeRuns: ExportRun[] = [];
  const copyRates: number[] = [];
  let copyRows = 0;
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "csv-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  let report: Awaited<ReturnType<typeof reportCsv>>;
  try {
    // Unmeasured: the route's first request loads and compiles its code.
    await exportOnce(app, small.query, o.timeoutMs);
    for (let run = 1; run <= ctx.runs; run += 1) {
      smallRuns.push(await exportOnce(app, small.query, o.timeoutMs));
      largeRuns.push(await exportOnce(app, large.query, o.timeoutMs));
      // The limit: the export's own query, PostgreSQL writing the CSV, nothing in Node.
      const copied = await withClient(db.url, async (c) => {
        const query = connectionsSql(
          { from: 0, to: Date.parse("9999-12-31T00:00:00Z") },
          large.pattern === null
            ? sql.raw("TRUE")
            : sql`c.client_id LIKE ${large.pattern as string}`,
        );
        const text = inlineParams(c, query.text, query.values);
        const started = performance.now();
        const r = await copyTo(c, `COPY (${text}) TO STDOUT WITH (FORMAT csv)`);
        return { ...r, seconds: (performance.now() - started) / 1000 };
      });
      copyRows = copied.rows;
      copyRates.push(copied.rows / copied.seconds);
      const s = smallRuns.at(-1)!;
      const l = largeRuns.at(-1)!;
      log(
        `csv run ${run}/${ctx.runs}: ${s.rows} rows at ${Math.round(s.rows / s.seconds)}/s (RSS ${Math.round(s.idleMiB)} → ${Math.round(s.peakMiB)} MiB); ${l.rows} rows at ${Math.round(l.rows / l.seconds)}/s (RSS ${Math.round(l.idleMiB)} → ${Math.round(l.peakMiB)} MiB); COPY TO ${Math.round(copyRates.at(-1)!)}/s`,
      );
    }
    report = await reportCsv(ctx, o, app, db, exportOnce);
  } finally {
    await app.stop();
  }
  const largeRates = largeRuns.map((r) => r.rows / r.seconds);
  const smallRates = smallRuns.map((r) => r.rows / r.seconds);
  const largePeak = largeRuns.map((r) => r.peakMiB);
  const smallPeak = smallRuns.map((r) => r.peakMiB);
  const rows = largeRuns[0]?.rows ?? 0;
  if (rows !== copyRows)
    throw new Error(`the export gave ${rows} rows, the same query under COPY ${copyRows}`);
  const growth = median(largePeak) - median(smallPeak);
  const rate = median(largeRates);
  const figures: Figure[] = [
    {
      section: "5. CSV export",
      ...measured(
        `GET /api/export/connections.csv, ${large.label}: ${rows.toLocaleString("en-US")} rows`,
        "rows/s",
        largeRates,
      ),
      detail: `${round((largeRuns[0]?.bytes ?? 0) / 2 ** 20)} MiB`,
      limit: measured("COPY (same query) TO STDOUT CSV", "rows/s", copyRates),
      ratioToLimit: pairedRatio(largeRates, copyRates),
      target: { text: "≥ 100,000 rows/s", met: rate >= 100_000 },
    },
    {
      section: "5. CSV export",
      ...measured(
        `the same, ${small.label}: ${(smallRuns[0]?.rows ?? 0).toLocaleString("en-US")} rows`,
        "rows/s",
        smallRates,
      ),
    },
    {
      section: "5. CSV export",
      ...measured(`app peak RSS exporting ${rows.toLocaleString("en-US")} rows`, "MiB", largePeak),
      detail: `idle before: ${round(median(largeRuns.map((r) => r.idleMiB)))} MiB`,
      baseline: measured(
        `peak exporting ${(smallRuns[0]?.rows ?? 0).toLocaleString("en-US")} rows`,
        "MiB",
        smallPeak,
      ),
      ratioToBaseline: median(largePeak) / median(smallPeak),
      target: {
        text: `flat: 10× the rows, peak ≤ +${o.flatToleranceMiB} MiB`,
        met: growth <= o.flatToleranceMiB,
      },
    },
  ];
  figures.push(...report.figures);
  const notes = [
    ...report.notes,
    `csv: peak RSS grows ${round(growth)} MiB from the ${smallRuns[0]?.rows ?? 0}-row export to the ${rows}-row one.`,
  ];
  notes.push(...profileNotes(profileDir, "CSV export app CPU profile", 15));
  return {
    figures,
    details: {
      options: o,
      small: smallRuns,
      large: largeRuns,
      copyRowsPerSecond: copyRates,
      peakGrowthMiB: growth,
    },
    notes,
  };
}
