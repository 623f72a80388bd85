// npm run bench:scale-db [-- --scale 1m] [-- --fresh]
// Generates (or finds current) the kept scale database the query, CSV and
// availability suites read at `--scale <scale>` (fleet_bench_<scale>), and
// prints how long its load took and its size: the load alone, e.g. ahead of
// `npm run bench -- --only queries,csv --scale 1m`.
import { parseArgs } from "node:util";
import { SCALES, type ScaleName } from "./lib/context";
import { startPgServer } from "./lib/database";
import { loadDetail } from "./suites/queries";
import { keptScaleDatabase } from "./suites/scale-db";

const { values: args } = parseArgs({
  options: {
    scale: { type: "string", default: "1m" },
    fresh: { type: "boolean", default: false },
  },
});
const scale = args.scale as ScaleName;
if (!SCALES.includes(scale))
  throw new Error(`unknown --scale '${args.scale}': one of ${SCALES.join(", ")}`);
const started = Date.now();
const log = (line: string) =>
  console.log(`[scale-db ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const server = await startPgServer(log);
try {
  const ctx = {
    server,
    smoke: false,
    scale,
    fresh: args.fresh === true,
    runs: 1,
    profile: false,
    resultsDir: "bench/results",
    log,
  };
  const db = await keptScaleDatabase(ctx, scale);
  log(`${db.name}: ${JSON.stringify(db.counts)}`);
  log(loadDetail(db));
} finally {
  await server.stop();
}
