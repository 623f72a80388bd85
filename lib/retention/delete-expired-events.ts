// Retention of the raw event log. Connections, client state, subscriptions
// and failed attempts are derived rows and stay; only raw events expire.
import "server-only";
import type pg from "pg";

/** Only one instance of a fleet of app servers runs the job at a time. */
const RETENTION_LOCK = 0x7265_7465; // "rete"

export interface RetentionResult {
  deleted: number;
  batches: number;
  skipped: boolean;
}

/**
 * Deletes events with event_at before `cutoff` in batches of `batchSize`,
 * each its own short transaction, so ingest never waits behind one huge
 * delete. Returns early when another instance holds the job's lock.
 */
export async function deleteExpiredEvents(
  pool: pg.Pool,
  cutoff: Date,
  options: { batchSize?: number; maxBatches?: number; pauseMs?: number } = {},
): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? 5_000;
  const maxBatches = options.maxBatches ?? 10_000;
  const pauseMs = options.pauseMs ?? 20;
  const client = await pool.connect();
  const onError = () => {};
  client.on("error", onError);
  try {
    const lock = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      RETENTION_LOCK,
    ]);
    if (!lock.rows[0]?.ok) return { deleted: 0, batches: 0, skipped: true };
    let deleted = 0;
    let batches = 0;
    try {
      while (batches < maxBatches) {
        const r = await client.query(
          `DELETE FROM lifecycle_event WHERE (id, event_at) IN (
             SELECT id, event_at FROM lifecycle_event WHERE event_at < $1 LIMIT $2)`,
          [cutoff, batchSize],
        );
        batches += 1;
        deleted += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < batchSize) break;
        // Give concurrent ingest room between batches.
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [RETENTION_LOCK]);
    }
    return { deleted, batches, skipped: false };
  } finally {
    client.off("error", onError);
    client.release();
  }
}

export function retentionCutoff(days: number, now = new Date()): Date {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
}
