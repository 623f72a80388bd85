// npm run bench:ingest [-- --smoke] [-- --senders 4] [-- --runs 3] [-- --profile]
// The ingest suite alone (CI runs it with --smoke): events/s through the real
// POST /api/ingest next to the COPY storage limit, the direct set-based
// transaction and a naive one-insert-per-event baseline, all measured in this
// run. `npm run bench` runs it with the other suites.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { SuiteContext } from "./lib/context";
import { startPgServer } from "./lib/database";
import { markdownTable } from "./lib/report";
import { ingestOptions, runIngestSuite } from "./suites/ingest";

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    senders: { type: "string" },
    events: { type: "string" },
    clients: { type: "string" },
    batch: { type: "string" },
    "naive-events": { type: "string" },
    runs: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});
const smoke = args.smoke === true;
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
const options = ingestOptions(
  smoke,
  defined({
    senders: num(args.senders),
    events: num(args.events),
    clients: num(args.clients),
    batchSize: num(args.batch),
    naiveEvents: num(args["naive-events"]),
  }),
);

const started = Date.now();
const log = (line: string) =>
  console.log(`[bench:ingest ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const server = await startPgServer(log);
try {
  const ctx: SuiteContext = {
    server,
    smoke,
    scale: "100k",
    fresh: false,
    runs: Number(args.runs ?? (smoke ? 1 : 3)),
    profile: args.profile === true,
    resultsDir: "bench/results",
    log,
  };
  const result = await runIngestSuite(ctx, options);
  console.log(`\n${markdownTable(result.figures)}\n`);
  for (const note of result.notes) console.log(note);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    `bench/results/ingest${smoke ? "-smoke" : ""}.json`,
    `${JSON.stringify({ when: new Date(started).toISOString(), smoke, ...result }, null, 2)}\n`,
  );
} finally {
  await server.stop();
}
