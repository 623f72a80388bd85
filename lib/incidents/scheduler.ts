// Runs incident detection inside each app instance (the advisory lock lets
// one of them do the work at a time): shortly after start, then every
// INCIDENT_DETECTION_INTERVAL_SECONDS.
import "server-only";
import { z } from "zod";
import { db } from "../db/client";
import { runIncidentDetection } from "./job";
import { appLog } from "../log/logger";

const Env = z.object({
  INCIDENT_DETECTION_INTERVAL_SECONDS: z.coerce.number().positive().default(10),
});

const globalForIncidents = globalThis as unknown as { fleetIncidentTimer?: NodeJS.Timeout };

export function startIncidentScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (globalForIncidents.fleetIncidentTimer !== undefined || !env.DATABASE_URL) return;
  const { INCIDENT_DETECTION_INTERVAL_SECONDS: interval } = Env.parse(env);
  let running = false;
  const run = async () => {
    // A slow run (a late backlog over days) must not overlap the next tick.
    if (running) return;
    running = true;
    try {
      const result = await runIncidentDetection(db().pool);
      if (result.changed.length > 0) {
        appLog.info("incidents", {
          changed: result.changed.length,
          incidents: result.incidents,
          disconnects: result.disconnects,
        });
      }
    } catch (error) {
      // The database may be briefly away; the next run recomputes the same region.
      appLog.error("incident detection failed", { error });
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void run(), 5_000);
  first.unref();
  const timer = setInterval(() => void run(), interval * 1000);
  timer.unref();
  globalForIncidents.fleetIncidentTimer = timer;
}
