// Runs the retention job inside each app instance (the advisory lock lets one
// of them do the work): shortly after start, then every hour.
import "server-only";
import { db } from "../db/client";
import { retentionConfig, runRetention } from "./run";
import { appLog } from "../log/logger";

const globalForRetention = globalThis as unknown as { fleetRetentionTimer?: NodeJS.Timeout };

export function startRetentionScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (globalForRetention.fleetRetentionTimer !== undefined || !env.DATABASE_URL) return;
  const config = retentionConfig(env);
  const run = async () => {
    try {
      const result = await runRetention(db().pool, config);
      if (
        result.deleted > 0 ||
        result.created.length > 0 ||
        result.dropped.length > 0 ||
        result.neverSeenPruned > 0 ||
        result.overlapsPruned > 0
      ) {
        appLog.info("retention", {
          deleted: result.deleted,
          neverSeenPruned: result.neverSeenPruned,
          overlapsPruned: result.overlapsPruned,
          batches: result.batches,
          partitionsCreated: result.created,
          partitionsDropped: result.dropped,
          days: config.days,
        });
      }
    } catch (error) {
      // The database may be briefly away; the next run catches up.
      appLog.error("retention failed", { error });
    }
  };
  const first = setTimeout(() => void run(), 30_000);
  first.unref();
  const timer = setInterval(() => void run(), config.intervalSeconds * 1000);
  timer.unref();
  globalForRetention.fleetRetentionTimer = timer;
}
