// Limits of the CSV exports. An export holds a database connection for as
// long as its reader takes: without limits, a handful of viewers reading
// slowly (or not at all) would hold every connection the app has, and
// sessions, ingest and health would fail with them. So exports get their own
// small pool (lib/db/client.ts, exportPool), a number of slots per operator
// and in total (one slot = one connection of that pool, so no export ever
// waits for a connection), an idle timeout for readers that stop reading and
// a cap on the whole download.
import { z } from "zod";
import { ServiceError } from "../errors";

const ExportEnv = z.object({
  EXPORT_MAX_CONCURRENT: z.coerce.number().int().positive().default(4),
  EXPORT_MAX_PER_OPERATOR: z.coerce.number().int().positive().default(2),
  EXPORT_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  EXPORT_MAX_SECONDS: z.coerce.number().positive().default(600),
});

export interface ExportLimits {
  /** Exports running at once in this app instance (and connections of the export pool). */
  total: number;
  /** Exports one operator (or token) may run at once. */
  perOperator: number;
  /** How long an export waits for its reader to take the next chunk before it ends. */
  idleTimeoutMs: number;
  /** The longest an export may run, however fast it is read. */
  maxMs: number;
}

export function exportLimits(env: NodeJS.ProcessEnv = process.env): ExportLimits {
  const parsed = ExportEnv.parse(env);
  return {
    total: parsed.EXPORT_MAX_CONCURRENT,
    perOperator: Math.min(parsed.EXPORT_MAX_PER_OPERATOR, parsed.EXPORT_MAX_CONCURRENT),
    idleTimeoutMs: parsed.EXPORT_IDLE_TIMEOUT_SECONDS * 1000,
    maxMs: parsed.EXPORT_MAX_SECONDS * 1000,
  };
}

/** How long a refused caller is told to wait: about as long as a typical export runs. */
const RETRY_AFTER_SECONDS = 10;

const running = { total: 0, byOperator: new Map<string, number>() };

/**
 * Takes one export slot for `operator`, or refuses with 429 when that
 * operator or the instance already runs as many exports as allowed. The
 * returned function gives the slot back; calling it again does nothing.
 */
export function acquireExportSlot(operator: string, limits = exportLimits()): () => void {
  const mine = running.byOperator.get(operator) ?? 0;
  if (mine >= limits.perOperator) {
    throw new ServiceError(
      "too_many_requests",
      `You already run ${mine} CSV exports at once (the limit, EXPORT_MAX_PER_OPERATOR); retry when one has finished.`,
      { retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  }
  if (running.total >= limits.total) {
    throw new ServiceError(
      "too_many_requests",
      `The server runs ${running.total} CSV exports at once (the limit, EXPORT_MAX_CONCURRENT); retry shortly.`,
      { retryAfterSeconds: RETRY_AFTER_SECONDS },
    );
  }
  running.total += 1;
  running.byOperator.set(operator, mine + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    running.total -= 1;
    const left = (running.byOperator.get(operator) ?? 1) - 1;
    if (left > 0) running.byOperator.set(operator, left);
    else running.byOperator.delete(operator);
  };
}

/** Exports running now (for tests and metrics). */
export function runningExports(): number {
  return running.total;
}
