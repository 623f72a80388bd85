// `--only ingest-rollups`: what maintaining the rollups costs ingest, alone.
// The ingest suite measures the same four variants of the direct transaction
// beside the route, COPY and the naive path, and needs the built app; this
// runs only storeBatch (no app, no HTTP), interleaved run by run, and says
// where each variant's database time goes.
import os from "node:os";
import { presenceConfig } from "../../lib/config";
import type { Rollups } from "../../lib/ingest/rollups";
import type { Suite } from "../lib/context";
import { measured } from "../lib/report";
import { ingestLoad, parsedBatches, sendersPool, storeDirect } from "../lib/direct-ingest";
import { timeStatements } from "../lib/statement-times";
import { rollupFigures } from "./ingest-rollups";

export type IngestRollupsOptions = ReturnType<typeof ingestLoad>;

/** The full size keeps the ingest suite's fleet and batches, with half its events. */
export function ingestRollupsOptions(smoke: boolean): IngestRollupsOptions {
  return ingestLoad(smoke, { events: 100_000, clients: 20_000 });
}

const RUN_DEADLINE_MS = 5 * 60_000;

const VARIANTS: { label: string; rollups: Rollups }[] = [
  { label: "both", rollups: { availability: true, online: true } },
  { label: "online only", rollups: { availability: false, online: true } },
  { label: "availability only", rollups: { availability: true, online: false } },
  { label: "none", rollups: { availability: false, online: false } },
  { label: "both by statements", rollups: { availability: true, online: true, fast: false } },
];

export const runIngestRollupsSuite: Suite<IngestRollupsOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("rollups");
  try {
    const parsed = parsedBatches(o);
    log(
      `ingest-rollups: ${o.events} events over ${o.clients} clients, ${parsed.length} batches of ${o.batchSize}, ${o.senders} senders, ${ctx.runs} run(s)`,
    );
    const config = presenceConfig();
    // One pool per variant: each one's statement times apart.
    const pools = VARIANTS.map(() => {
      const pool = sendersPool(db.url, o.senders);
      return { pool, statements: timeStatements(pool) };
    });
    const rates = VARIANTS.map((): number[] => []);
    try {
      for (let run = 1; run <= ctx.runs; run += 1) {
        for (let i = 0; i < VARIANTS.length; i += 1) {
          const v = (i + run - 1) % VARIANTS.length;
          const { rollups } = VARIANTS[v]!;
          const { pool } = pools[v]!;
          const d = await storeDirect(
            { url: db.url, pool, parsed, senders: o.senders, deadlineMs: RUN_DEADLINE_MS, config },
            rollups,
          );
          if (d.timedOut) throw new Error(`${VARIANTS[v]!.label}: timed out`);
          rates[v]!.push(d.processed / d.seconds);
        }
        log(
          `ingest-rollups run ${run}/${ctx.runs}: ${VARIANTS.map((v, i) => `${v.label} ${Math.round(rates[i]!.at(-1)!)}`).join(", ")} ev/s, load ${os.loadavg()[0]!.toFixed(1)}`,
        );
      }
    } finally {
      await Promise.all(pools.map((p) => p.pool.end()));
    }
    const [direct, directNoAvailability, directNoRollup, directNoRollups, directNoFast] = rates as [
      number[],
      number[],
      number[],
      number[],
      number[],
    ];
    const directM = measured("(b) storeBatch direct, both rollups", "ev/s", direct);
    return {
      figures: rollupFigures("1. ingest (rollups)", directM, {
        direct,
        directNoAvailability,
        directNoRollup,
        directNoRollups,
        directNoFast,
      }),
      details: {
        options: o,
        direct,
        directNoAvailability,
        directNoRollup,
        directNoRollups,
        directNoFast,
      },
      notes: VARIANTS.map(
        (v, i) =>
          `ingest-rollups: where the transaction's time goes, ${v.label} (all runs, summed over connections)\n${pools[i]!.statements.report()}`,
      ),
    };
  } finally {
    await db.drop();
  }
};
