// One timed pass of ingest's own transaction, no HTTP: the tables emptied,
// the online rollup built when it is to be maintained, then the batches
// stored through storeBatch by `senders` at once. The suites that compare
// what the rollups cost (ingest, ingest-rollups, availability) time this.
import type pg from "pg";
import type { ParsedBatch } from "../../lib/ingest/parse";
import type { Rollups } from "../../lib/ingest/rollups";
import { storeBatch } from "../../lib/ingest/store";
import type { PresenceConfig } from "../../lib/presence/types";
import { rebuildOnlineRollup, rollupLikes } from "../../lib/stats/online-rollup";
import { drain } from "./context";
import { truncateAll } from "./database";

export async function storeDirect(
  url: string,
  pool: pg.Pool,
  parsed: readonly ParsedBatch[],
  o: { senders: number; deadlineMs: number },
  config: PresenceConfig,
  rollups: Rollups,
): ReturnType<typeof drain> {
  await truncateAll(url);
  if (rollups.online) await rebuildOnlineRollup(pool, rollupLikes());
  return drain(parsed, o.senders, o.deadlineMs, async (batch) => {
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
