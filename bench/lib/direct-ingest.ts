// One timed pass of ingest's own transaction, no HTTP: the tables emptied,
// the online rollup built when it is to be maintained, then the batches
// stored through storeBatch by `senders` at once. The suites that compare
// what the rollups cost (ingest, ingest-rollups, availability) time this,
// on the same load.
import pg from "pg";
import { presenceConfig } from "../../lib/config";
import { parseItems, type ParsedBatch } from "../../lib/ingest/parse";
import type { Rollups } from "../../lib/ingest/rollups";
import { storeBatch } from "../../lib/ingest/store";
import type { PresenceConfig } from "../../lib/presence/types";
import { rebuildOnlineRollup, rollupLikes } from "../../lib/stats/online-rollup";
import { drain } from "./context";
import { truncateAll } from "./database";
import { batches, lifecycleHistory } from "./workload";

/** An ingest load: `events` over `clients`, sent in batches of `batchSize` by `senders` at once. */
export interface IngestLoad {
  events: number;
  clients: number;
  batchSize: number;
  senders: number;
}

/**
 * The smoke load (5,000 events over 500 clients), or `full`; batches of 500
 * (the bridge's) from 4 senders either way.
 */
export function ingestLoad(
  smoke: boolean,
  full: { events: number; clients: number } = { events: 200_000, clients: 20_000 },
): IngestLoad {
  return { ...(smoke ? { events: 5_000, clients: 500 } : full), batchSize: 500, senders: 4 };
}

/** The load's history in its batches, each parsed as the route would, received now. */
export function parsedBatches(load: IngestLoad): ParsedBatch[] {
  const now = Date.now();
  return batches([...lifecycleHistory(load.events, load.clients)], load.batchSize).map((b) =>
    parseItems(b, now),
  );
}

/** A connection for each sender; an idle connection's error is not the run's. */
export function sendersPool(url: string, senders: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: senders });
  pool.on("error", () => {});
  return pool;
}

/** What a pass stores, where, how, and when it gives up. */
export interface DirectRun {
  url: string;
  pool: pg.Pool;
  parsed: readonly ParsedBatch[];
  senders: number;
  deadlineMs: number;
  config: PresenceConfig;
}

/** A run of `load` on a pool of its own, the app's presence settings. */
export function directRun(url: string, load: IngestLoad, deadlineMs: number): DirectRun {
  return {
    url,
    pool: sendersPool(url, load.senders),
    parsed: parsedBatches(load),
    senders: load.senders,
    deadlineMs,
    config: presenceConfig(),
  };
}

export async function storeDirect(run: DirectRun, rollups: Rollups): ReturnType<typeof drain> {
  const { url, pool, parsed, senders, deadlineMs, config } = run;
  await truncateAll(url);
  if (rollups.online) await rebuildOnlineRollup(pool, rollupLikes());
  return drain(parsed, senders, deadlineMs, async (batch) => {
    const stored = await storeBatch(
      pool,
      batch.accepted,
      batch.rejected,
      new Date(),
      config,
      rollups,
    );
    return stored.inserted;
  });
}
