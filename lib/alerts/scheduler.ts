// Runs alert evaluation and the outbox sender inside every app instance. No
// timer per client: each pass asks PostgreSQL which clients became due
// (evaluate.ts), and the instances split the rules and deliveries between
// them with row locks, so adding instances never sends anything twice.
import "server-only";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { alertsConfig } from "./config";
import { evaluateRules } from "./evaluate";
import { LIVE_INCIDENTS } from "./incident-source";
import { sendDueDeliveries } from "./sender";
import { appLog } from "../log/logger";

const SEND_INTERVAL_MS = 1_000;

const holder = globalThis as unknown as { fleetAlertTimers?: NodeJS.Timeout[] };

/** Repeats `pass` every `ms`, never two at once; a failure (database away) waits for the next turn. */
function every(ms: number, name: string, pass: () => Promise<unknown>): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pass()
      .catch((error: unknown) => appLog.error(`${name} failed`, { error }))
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return timer;
}

export function startAlertScheduler(env: NodeJS.ProcessEnv = process.env): void {
  if (holder.fleetAlertTimers !== undefined || !env.DATABASE_URL) return;
  const presence = presenceConfig(env);
  const alerts = alertsConfig(env);
  holder.fleetAlertTimers = [
    every(alerts.evalIntervalMs, "alert evaluation", () =>
      evaluateRules(db().pool, new Date(), presence, alerts, LIVE_INCIDENTS),
    ),
    every(SEND_INTERVAL_MS, "alert sender", async () => {
      // Drain in rounds: a storm's deliveries go out without waiting a second per 50.
      for (let round = 0; round < 20; round += 1) {
        const r = await sendDueDeliveries(db().pool, alerts);
        if (r.sent + r.failed === 0) return;
      }
    }),
  ];
}

export function stopAlertScheduler(): void {
  for (const t of holder.fleetAlertTimers ?? []) clearInterval(t);
  holder.fleetAlertTimers = undefined;
}
