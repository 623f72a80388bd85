// npm run bench [-- --smoke] [-- --only ingest,aws-rule,bridge,latency,queries,csv,alerts,alerts-scale,availability,storm,ingest-rollups] [-- --runs 3] [-- --profile]
//   [-- --scale 1m [--fresh]]  (queries, CSV and availability on 1,000,000 clients, generated once; the storm: 1,000,000 devices, 60 s + 600 s)
// The whole benchmark suite: every figure next to a baseline and a limit
// measured in the same run on the same machine, medians of several runs with
// their spread. Writes bench/results/latest.{json,md} (smoke: smoke.{json,md};
// a partial --only run: only-<suites>.{json,md}). Asserts nothing: targets are
// reported as met or missed, never failed on.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { SCALES, type ScaleName, type SuiteContext, type SuiteResult } from "./lib/context";
import { describeServer, startPgServer } from "./lib/database";
import { markdownTable, type Figure } from "./lib/report";
import { calibrate, LoadMonitor } from "./lib/machine";
import { alertsOptions, runAlertsSuite } from "./suites/alerts";
import { alertsScaleOptions, runAlertsScaleSuite } from "./suites/alerts-scale";
import { availabilityOptions, runAvailabilitySuite } from "./suites/availability";
import { awsRuleOptions, runAwsRuleSuite } from "./suites/aws-rule";
import { bridgeOptions, runBridgeSuite } from "./suites/bridge";
import { csvOptions, runCsvSuite } from "./suites/csv";
import { ingestOptions, runIngestSuite } from "./suites/ingest";
import { ingestRollupsOptions, runIngestRollupsSuite } from "./suites/ingest-rollups-run";
import { latencyOptions, runLatencySuite } from "./suites/latency";
import { queryOptions, runQuerySuite } from "./suites/queries";
import { runStormSuite, stormOptions } from "./suites/storm";

const SUITES = [
  "ingest",
  "aws-rule",
  "bridge",
  "latency",
  "queries",
  "csv",
  "alerts",
  "alerts-scale",
  "availability",
  "storm",
] as const;
/** Run only when named: part of what the suites above measure, alone and quicker. */
const EXTRA_SUITES = ["ingest-rollups"] as const;
type SuiteName = (typeof SUITES)[number] | (typeof EXTRA_SUITES)[number];
const KNOWN: readonly string[] = [...SUITES, ...EXTRA_SUITES];

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    only: { type: "string" },
    runs: { type: "string" },
    profile: { type: "boolean", default: false },
    scale: { type: "string", default: "100k" },
    fresh: { type: "boolean", default: false },
  },
});
const scale = args.scale as ScaleName;
if (!SCALES.includes(scale))
  throw new Error(`unknown --scale '${args.scale}': one of ${SCALES.join(", ")}`);
if (scale === "1m" && args.smoke === true)
  throw new Error("--scale 1m and --smoke exclude each other: the smoke run uses a tiny fleet");
const smoke = args.smoke === true;
const only = (args.only
  ?.split(",")
  .map((s) => s.trim())
  .filter(Boolean) ?? [...SUITES]) as SuiteName[];
for (const name of only)
  if (!KNOWN.includes(name)) throw new Error(`unknown suite '${name}': one of ${KNOWN.join(", ")}`);
const runs = Number(args.runs ?? (smoke ? 1 : 3));
const resultsDir = "bench/results";
const outName =
  (smoke ? "smoke" : only.length === SUITES.length ? "latest" : `only-${only.join("-")}`) +
  (scale === "100k" ? "" : `-${scale}`);

const started = Date.now();
const log = (line: string) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Which code was measured: the commit, whether the tree had changes, and the build the app ran. */
function provenance(): { commit: string; dirty: boolean; buildId: string; builtAt: string } {
  const git = (...a: string[]) => {
    try {
      return execFileSync("git", a, { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  let buildId = "";
  let builtAt = "";
  try {
    buildId = readFileSync(".next/BUILD_ID", "utf8").trim();
    builtAt = statSync(".next/BUILD_ID").mtime.toISOString();
  } catch {
    // No build: the suites say so.
  }
  return {
    commit: git("rev-parse", "--short", "HEAD"),
    dirty: git("status", "--porcelain", "--", "lib", "app", "prisma").length > 0,
    buildId,
    builtAt,
  };
}

async function main(): Promise<void> {
  mkdirSync(resultsDir, { recursive: true });
  const load = new LoadMonitor();
  const code = provenance();
  const calibrationStart = calibrate();
  log(
    `mode ${smoke ? "smoke" : "full"}, scale ${smoke ? "smoke" : scale}, suites ${only.join(", ")}, ${runs} run(s) each; calibration loop ${calibrationStart} ms, load average ${os.loadavg()[0]!.toFixed(2)}`,
  );
  const server = await startPgServer(log);
  const ctx: SuiteContext = {
    server,
    smoke,
    runs,
    profile: args.profile === true,
    scale,
    fresh: args.fresh === true,
    resultsDir,
    log,
  };
  const results: Partial<Record<SuiteName, SuiteResult>> = {};
  const failures: Partial<Record<SuiteName, string>> = {};
  let pgVersion = "";
  try {
    pgVersion = await describeServer(server.url);
    const run: Record<SuiteName, () => Promise<SuiteResult>> = {
      ingest: () => runIngestSuite(ctx, ingestOptions(smoke)),
      "ingest-rollups": () => runIngestRollupsSuite(ctx, ingestRollupsOptions(smoke)),
      "aws-rule": () => runAwsRuleSuite(ctx, awsRuleOptions(smoke)),
      bridge: () => runBridgeSuite(ctx, bridgeOptions(smoke)),
      latency: () => runLatencySuite(ctx, latencyOptions(smoke)),
      queries: () => runQuerySuite(ctx, queryOptions(smoke, scale)),
      csv: () => runCsvSuite(ctx, csvOptions(smoke, scale)),
      alerts: () => runAlertsSuite(ctx, alertsOptions(smoke)),
      "alerts-scale": () => runAlertsScaleSuite(ctx, alertsScaleOptions(smoke)),
      availability: () => runAvailabilitySuite(ctx, availabilityOptions(smoke)),
      storm: () => runStormSuite(ctx, stormOptions(smoke, scale)),
    };
    for (const name of only) {
      const t = Date.now();
      log(`— ${name} —`);
      try {
        results[name] = await run[name]();
        log(`${name} done in ${Math.round((Date.now() - t) / 1000)} s`);
      } catch (error) {
        // One broken suite must not hide the others' figures.
        failures[name] = (error as Error).stack ?? String(error);
        log(`${name} FAILED: ${(error as Error).message}`);
      }
    }
  } finally {
    await server.stop();
  }
  const calibrationEnd = calibrate();
  const loadSummary = load.stop();

  const figures: Figure[] = only.flatMap((n) => results[n]?.figures ?? []);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgVersion,
    embeddedPostgres: server.embedded,
    calibrationMs: { start: calibrationStart, end: calibrationEnd },
    loadAverage1m: loadSummary,
  };
  const noiseLine =
    `Machine noise: 1-minute load average ${loadSummary.min}–${loadSummary.max} (median ${loadSummary.median}) on ${machine.cpus} cores; ` +
    `a fixed CPU loop took ${calibrationStart} ms before and ${calibrationEnd} ms after.`;
  const json = {
    when: new Date(started).toISOString(),
    mode: smoke ? "smoke" : "full",
    scale: smoke ? "smoke" : scale,
    runs,
    suites: only,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    code,
    figures,
    failures,
    notes: Object.fromEntries(only.map((n) => [n, results[n]?.notes ?? []])),
    details: Object.fromEntries(only.map((n) => [n, results[n]?.details ?? null])),
  };
  const md = [
    `# Benchmark results (${smoke ? "smoke: tiny loads, figures not meaningful" : scale === "1m" ? "full run, scale 1m: 1,000,000 clients" : "full run"})`,
    "",
    `${json.when}, ${json.durationSeconds} s; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${pgVersion} (${server.embedded ? "embedded" : "DATABASE_URL"}).`,
    `Code: commit ${code.commit}${code.dirty ? " with uncommitted changes in lib/, app/ or prisma/" : ""}; app build ${code.buildId} of ${code.builtAt}.`,
    `Values are medians of ${runs} run(s) (latency and query figures are percentiles of all samples); baselines and limits were measured in the same run, interleaved with the figure. ${noiseLine}`,
    "",
    markdownTable(figures),
    "",
    ...Object.entries(failures).map(
      ([n, e]) => `**${n} failed:** \`${String(e).split("\n")[0]}\`\n`,
    ),
    ...only.flatMap((n) =>
      (results[n]?.notes ?? []).map((note) =>
        note.includes("\n")
          ? `<details><summary>${n}: ${note.split("\n")[0]}</summary>\n\n\`\`\`\n${note}\n\`\`\`\n</details>\n`
          : `- ${note}`,
      ),
    ),
    "",
  ].join("\n");
  writeFileSync(path.join(resultsDir, `${outName}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${outName}.md`), md);
  console.log(`\n${markdownTable(figures)}\n\n${noiseLine}`);
  log(`wrote ${resultsDir}/${outName}.json and ${outName}.md`);
  // Last, so that a log cut to its tail (CI's) still says which suite broke and where.
  for (const [n, e] of Object.entries(failures))
    console.error(`\nbench suite ${n} FAILED:\n${String(e).split("\n").slice(0, 12).join("\n")}`);
  if (Object.keys(failures).length > 0) process.exitCode = 1;
}

await main();
