// The event table as it was before migration 20261205100000 partitioned it:
// one plain table with the same columns, keys, indexes and identity, in a
// scratch database of its own. The ingest suite's baseline for what
// partitioning costs ingest, measured in the same run.
import pg from "pg";
import type { ParsedBatch } from "../../lib/ingest/parse";
import { storeBatch } from "../../lib/ingest/store";
import type { PresenceConfig } from "../../lib/presence/types";
import { rebuildOnlineRollup, rollupLikes } from "../../lib/stats/online-rollup";
import { drain } from "./context";
import { truncateAll, withClient, type PgServer } from "./database";

/** Replaces lifecycle_event in the (scratch) database at `url` by an unpartitioned copy, empty. */
export async function unpartitionEvents(url: string): Promise<void> {
  await withClient(url, (c) =>
    c.query(`BEGIN;
      CREATE TABLE lifecycle_event_flat (LIKE lifecycle_event INCLUDING ALL);
      DROP TABLE lifecycle_event;
      ALTER TABLE lifecycle_event_flat RENAME TO lifecycle_event;
      COMMIT;`),
  );
}

export interface UnpartitionedIngest {
  url: string;
  /** storeBatch over every batch, `senders` at a time, into an emptied table: events/s. */
  run(
    parsed: readonly ParsedBatch[],
    config: PresenceConfig,
    deadlineMs: number,
  ): Promise<{ rate: number; timedOut: boolean }>;
  close(): Promise<void>;
}

export async function unpartitionedIngest(
  server: PgServer,
  senders: number,
): Promise<UnpartitionedIngest> {
  const db = await server.scratch("ingest_flat");
  await unpartitionEvents(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: senders });
  pool.on("error", () => {});
  return {
    url: db.url,
    async run(parsed, config, deadlineMs) {
      await truncateAll(db.url);
      await rebuildOnlineRollup(pool, rollupLikes());
      const d = await drain(parsed, senders, deadlineMs, async (batch) => {
        const stored = await storeBatch(pool, batch.accepted, batch.rejected, new Date(), config);
        return stored.inserted;
      });
      return { rate: d.processed / d.seconds, timedOut: d.timedOut };
    },
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}
