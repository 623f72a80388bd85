// Keeps the availability report's ranking (rank.ts) inside each app instance
// (an advisory lock lets one of them work at a time): shortly after start,
// then every AVAILABILITY_RANK_INTERVAL_SECONDS, or less often after a slow
// run (lib/process/resting-job.ts). Each run builds the day's ranking after
// UTC midnight and recomputes the clients ingest marked, at most RUN_CLIENTS
// of them, so that a burst of late events is taken in steps.
import "server-only";
import { z } from "zod";
import { db } from "../db/client";
import { appLog } from "../log/logger";
import { startRestingJob } from "../process/resting-job";
import { runRankJob } from "./rank";

const Env = z.object({
  AVAILABILITY_RANK_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
});

/** Marked clients one run recomputes at most. */
export const RUN_CLIENTS = 50_000;

export function startRankScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.DATABASE_URL) return;
  startRestingJob("availability-rank", {
    intervalMs: Env.parse(env).AVAILABILITY_RANK_INTERVAL_SECONDS * 1000,
    firstDelayMs: 3_000,
    run: async () => {
      const started = Date.now();
      const result = await runRankJob(db().pool, { maxClients: RUN_CLIENTS });
      if (result.built > 0 || result.refreshed > 0)
        appLog.info("availability ranking", { ...result, ms: Date.now() - started });
    },
    // The database may be briefly away: the marks stay, the next run goes on.
    onError: (error) => appLog.error("availability ranking failed", { error }),
  });
}
