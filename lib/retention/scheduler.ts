// Runs the retention job inside each app instance (the advisory lock lets one
// of them do the work): shortly after start, then every hour.
import { z } from "zod";
import { db } from "../db/client";
import { deleteExpiredEvents, retentionCutoff } from "./delete-expired-events";
import { appLog } from "../log/logger";

const Env = z.object({
  EVENT_RETENTION_DAYS: z.coerce.number().positive().default(30),
  RETENTION_INTERVAL_SECONDS: z.coerce.number().positive().default(3600),
});

const globalForRetention = globalThis as unknown as { fleetRetentionTimer?: NodeJS.Timeout };

export function startRetentionScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (globalForRetention.fleetRetentionTimer !== undefined || !env.DATABASE_URL) return;
  const config = Env.parse(env);
  const run = async () => {
    try {
      const result = await deleteExpiredEvents(
        db().pool,
        retentionCutoff(config.EVENT_RETENTION_DAYS),
      );
      if (result.deleted > 0) {
        appLog.info("retention", {
          deleted: result.deleted,
          batches: result.batches,
          days: config.EVENT_RETENTION_DAYS,
        });
      }
    } catch (error) {
      // The database may be briefly away; the next run catches up.
      appLog.error("retention failed", { error });
    }
  };
  const first = setTimeout(() => void run(), 30_000);
  first.unref();
  const timer = setInterval(() => void run(), config.RETENTION_INTERVAL_SECONDS * 1000);
  timer.unref();
  globalForRetention.fleetRetentionTimer = timer;
}
