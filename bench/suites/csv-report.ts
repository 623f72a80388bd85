// The availability report's CSV (GET /api/reports/availability.csv) over 30
// days, for the csv suite: rows/s next to COPY of the same query, and the
// app's peak RSS for one firmware's clients (15%) and for the whole fleet.
import { availabilityReportCsvStatement } from "../../lib/availability/report";
import { AvailabilityReportQuery } from "../../lib/availability/schemas";
import { parseQuery } from "../../lib/clients/schemas";
import type { BenchApp } from "../lib/app";
import { inlineForCopy } from "../lib/capture-sql";
import type { SuiteContext } from "../lib/context";
import { copyTo } from "../lib/copy";
import { withClient } from "../lib/database";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { median, round } from "../lib/stats";
import type { CsvOptions, ExportRun } from "./csv";
import type { ScaleDatabase } from "./scale-db";

const DAY = 86_400_000;
const SECTION = "5. CSV export";

/** COPY (the report's query) TO STDOUT: PostgreSQL writing the same rows, nothing in Node. */
async function copyRate(url: string, params: URLSearchParams, now: number) {
  return withClient(url, async (c) => {
    // As the route reads it: the ranking when it can (now: the app's clock).
    const query = parseQuery(AvailabilityReportQuery, params);
    const statement = await availabilityReportCsvStatement(c, query, now);
    const text = inlineForCopy(c, statement);
    const started = performance.now();
    const r = await copyTo(c, `COPY (${text}) TO STDOUT WITH (FORMAT csv)`);
    return { rows: r.rows, seconds: (performance.now() - started) / 1000 };
  });
}

export async function reportCsv(
  ctx: SuiteContext,
  o: CsvOptions,
  app: BenchApp,
  db: ScaleDatabase,
  exportOnce: (app: BenchApp, target: string, timeoutMs: number) => Promise<ExportRun>,
): Promise<{ figures: Figure[]; notes: string[] }> {
  const range = { from: String(db.now - 30 * DAY), to: String(db.now) };
  const whole = new URLSearchParams(range);
  const part = new URLSearchParams({ ...range, label: "fw:4.1.3" });
  const target = (p: URLSearchParams) => `/api/reports/availability.csv?${p}`;
  const smallRuns: ExportRun[] = [];
  const largeRuns: ExportRun[] = [];
  const copyRates: number[] = [];
  // Unmeasured: the route's first request loads and compiles its code.
  await exportOnce(app, target(part), o.timeoutMs);
  for (let run = 1; run <= ctx.runs; run += 1) {
    smallRuns.push(await exportOnce(app, target(part), o.timeoutMs));
    largeRuns.push(await exportOnce(app, target(whole), o.timeoutMs));
    const copied = await copyRate(db.url, whole, Date.now());
    const l = largeRuns.at(-1)!;
    if (copied.rows !== l.rows)
      throw new Error(`report CSV: ${l.rows} rows, COPY of the same query ${copied.rows}`);
    copyRates.push(copied.rows / copied.seconds);
    ctx.log(
      `csv report run ${run}/${ctx.runs}: ${l.rows} rows at ${Math.round(l.rows / l.seconds)}/s (RSS ${Math.round(l.idleMiB)} → ${Math.round(l.peakMiB)} MiB); COPY TO ${Math.round(copyRates.at(-1)!)}/s`,
    );
  }
  const rates = largeRuns.map((r) => r.rows / r.seconds);
  const rows = largeRuns[0]?.rows ?? 0;
  const smallRows = smallRuns[0]?.rows ?? 0;
  const largePeak = largeRuns.map((r) => r.peakMiB);
  const smallPeak = smallRuns.map((r) => r.peakMiB);
  const growth = median(largePeak) - median(smallPeak);
  return {
    figures: [
      {
        section: SECTION,
        ...measured(
          `GET /api/reports/availability.csv, 30 days, whole fleet: ${rows.toLocaleString("en-US")} rows`,
          "rows/s",
          rates,
        ),
        limit: measured("COPY (same query) TO STDOUT CSV", "rows/s", copyRates),
        ratioToLimit: pairedRatio(rates, copyRates),
        target: { text: "≥ 100,000 rows/s", met: median(rates) >= 100_000 },
      },
      {
        section: SECTION,
        ...measured(
          `app peak RSS, the report CSV of ${rows.toLocaleString("en-US")} rows`,
          "MiB",
          largePeak,
        ),
        baseline: measured(
          `peak for fw=4.1.3's ${smallRows.toLocaleString("en-US")} rows`,
          "MiB",
          smallPeak,
        ),
        ratioToBaseline: median(largePeak) / median(smallPeak),
        target: {
          text: `flat: ${round(rows / Math.max(1, smallRows))}× the rows, peak ≤ +${o.flatToleranceMiB} MiB`,
          met: growth <= o.flatToleranceMiB,
        },
      },
    ],
    notes: [
      `csv: the availability report CSV's peak RSS grows ${round(growth)} MiB from ${smallRows} rows to ${rows}.`,
    ],
  };
}
