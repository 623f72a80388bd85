// One pass of the retention job: months ahead created, expired months
// dropped whole, the rest of the expired rows deleted in batches, stale
// never-seen candidates pruned. Run hourly
// by every app instance (scheduler.ts) and by `npm run retention`; the
// advisory lock lets one of them work at a time.
import "server-only";
import type pg from "pg";
import { z } from "zod";
import {
  deleteExpiredRows,
  retentionCutoff,
  withRetentionLock,
  type DeleteOptions,
} from "./delete-expired-events";
import { dropExpiredEventPartitions, ensureEventPartitions, monthStart } from "./event-partitions";
import { pruneNeverSeenCandidates } from "../clients/never-seen-prune";

const Env = z.object({
  EVENT_RETENTION_DAYS: z.coerce.number().positive().default(30),
  RETENTION_INTERVAL_SECONDS: z.coerce.number().positive().default(3600),
  EVENT_PARTITION_MONTHS_AHEAD: z.coerce.number().int().min(1).max(24).default(2),
});

export interface RetentionConfig {
  days: number;
  intervalSeconds: number;
  /** Partitions exist for the current month and this many after it. */
  monthsAhead: number;
}

/** The job's settings from the environment (README, "Configuration"); a bad value throws naming it. */
export function retentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join(".")}: ${issue.message}`);
  }
  return {
    days: parsed.data.EVENT_RETENTION_DAYS,
    intervalSeconds: parsed.data.RETENTION_INTERVAL_SECONDS,
    monthsAhead: parsed.data.EVENT_PARTITION_MONTHS_AHEAD,
  };
}

export interface RetentionRun {
  skipped: boolean;
  created: string[];
  dropped: string[];
  deleted: number;
  batches: number;
  /** Stale rows dropped from never_seen_client. */
  neverSeenPruned: number;
  /** Overlap rows (lib/clients/overlap-sql.ts) that ended before the horizon. */
  overlapsPruned: number;
}

export async function runRetention(
  pool: pg.Pool,
  options: { days: number; monthsAhead: number; now?: Date } & DeleteOptions,
): Promise<RetentionRun> {
  const now = options.now ?? new Date();
  const cutoff = retentionCutoff(options.days, now);
  const done = await withRetentionLock(pool, async (client) => {
    // The months ahead, and the months inside the horizon whose rows sit in
    // the default partition (a fresh install's backfill). First: a failing
    // drop or delete must not leave next month uncreated.
    const created = await ensureEventPartitions(
      client,
      { from: cutoff, through: monthStart(now, options.monthsAhead) },
      now,
    );
    const dropped = await dropExpiredEventPartitions(client, cutoff);
    const rows = await deleteExpiredRows(client, cutoff, options);
    const pruned = await pruneNeverSeenCandidates(client);
    // The as-of counts read them only for moments after the oldest kept event.
    const overlaps = await client.query("DELETE FROM presence_overlap WHERE ends_at < $1", [
      cutoff,
    ]);
    return {
      skipped: false,
      created,
      dropped,
      ...rows,
      neverSeenPruned: pruned.seen + pruned.unlabelled,
      overlapsPruned: overlaps.rowCount ?? 0,
    };
  });
  return (
    done ?? {
      skipped: true,
      created: [],
      dropped: [],
      deleted: 0,
      batches: 0,
      neverSeenPruned: 0,
      overlapsPruned: 0,
    }
  );
}
