// Runs incident detection inside each app instance (the advisory lock lets
// one of them do the work at a time): shortly after start, then every
// INCIDENT_DETECTION_INTERVAL_SECONDS, or less often while runs are slow.
import "server-only";
import { z } from "zod";
import { db } from "../db/client";
import { runIncidentDetection } from "./job";
import { appLog } from "../log/logger";

const Env = z.object({
  INCIDENT_DETECTION_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
});

/**
 * How long the detector rests after a run, per millisecond the run took.
 * While a mass disconnect's incident is open every run recomputes it whole
 * (every disconnect, reconnection and stored client of it), and at 100,000
 * clients that took more CPU than the interval: back to back, the detector
 * took the share of the app's core that ingest needed to drain the storm.
 * Resting 4× the run keeps it to at most a fifth of the app's time.
 */
export const REST_PER_RUN = 4;

/** The pause before the next run: the interval, or longer after a slow run. */
export function nextRunDelayMs(intervalMs: number, lastRunMs: number): number {
  return Math.max(intervalMs, REST_PER_RUN * lastRunMs);
}

const globalForIncidents = globalThis as unknown as { fleetIncidentTimer?: NodeJS.Timeout };

export function startIncidentScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (globalForIncidents.fleetIncidentTimer !== undefined || !env.DATABASE_URL) return;
  const intervalMs = Env.parse(env).INCIDENT_DETECTION_INTERVAL_SECONDS * 1000;
  const run = async () => {
    const started = Date.now();
    try {
      const result = await runIncidentDetection(db().pool);
      if (result.changed.length > 0) {
        appLog.info("incidents", {
          changed: result.changed.length,
          incidents: result.incidents,
          disconnects: result.disconnects,
          ms: Date.now() - started,
        });
      }
    } catch (error) {
      // The database may be briefly away; the next run recomputes the same region.
      appLog.error("incident detection failed", { error });
    }
    // Scheduled once this run is over, so runs never overlap.
    schedule(nextRunDelayMs(intervalMs, Date.now() - started));
  };
  const schedule = (ms: number) => {
    const timer = setTimeout(() => void run(), ms);
    timer.unref();
    globalForIncidents.fleetIncidentTimer = timer;
  };
  schedule(5_000);
}
