// Runs incident detection inside each app instance (the advisory lock lets
// one of them do the work at a time): shortly after start, then every
// INCIDENT_DETECTION_INTERVAL_SECONDS, or less often while runs are slow.
import "server-only";
import { z } from "zod";
import { db } from "../db/client";
import { runIncidentDetection } from "./job";
import { appLog } from "../log/logger";
import { startRestingJob } from "../process/resting-job";

const Env = z.object({
  INCIDENT_DETECTION_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
});

// The pause after each run (the detector's own history is why there is one).
export { nextRunDelayMs, REST_PER_RUN } from "../process/resting-job";

export function startIncidentScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.DATABASE_URL) return;
  startRestingJob("incidents", {
    intervalMs: Env.parse(env).INCIDENT_DETECTION_INTERVAL_SECONDS * 1000,
    firstDelayMs: 5_000,
    run: async () => {
      const started = Date.now();
      const result = await runIncidentDetection(db().pool);
      if (result.changed.length > 0) {
        appLog.info("incidents", {
          changed: result.changed.length,
          incidents: result.incidents,
          disconnects: result.disconnects,
          ms: Date.now() - started,
        });
      }
    },
    // The database may be briefly away; the next run recomputes the same region.
    onError: (error) => appLog.error("incident detection failed", { error }),
  });
}
