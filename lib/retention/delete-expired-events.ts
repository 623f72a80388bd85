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

export interface DeleteOptions {
  batchSize?: number;
  maxBatches?: number;
  pauseMs?: number;
}

/**
 * Runs `fn` on one pooled connection holding the retention job's advisory
 * lock; null when another instance holds it.
 */
export async function withRetentionLock<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T | null> {
  const client = await pool.connect();
  const onError = () => {};
  client.on("error", onError);
  try {
    const lock = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      RETENTION_LOCK,
    ]);
    if (!lock.rows[0]?.ok) return null;
    try {
      return await fn(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [RETENTION_LOCK]);
    }
  } finally {
    client.off("error", onError);
    client.release();
  }
}

/**
 * Deletes events with event_at before `cutoff` in batches of `batchSize`,
 * each its own short transaction, so ingest never waits behind one huge
 * delete. With whole expired months dropped first (event-partitions.ts),
 * what is left to delete lies in the month at the edge and the default
 * partition: partition pruning keeps the scans there.
 */
export async function deleteExpiredRows(
  client: pg.ClientBase,
  cutoff: Date,
  options: DeleteOptions = {},
): Promise<{ deleted: number; batches: number }> {
  const batchSize = options.batchSize ?? 5_000;
  const maxBatches = options.maxBatches ?? 10_000;
  const pauseMs = options.pauseMs ?? 20;
  let deleted = 0;
  let batches = 0;
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
  return { deleted, batches };
}

/** The batched delete alone, under the job's lock (runRetention also drops whole months). */
export async function deleteExpiredEvents(
  pool: pg.Pool,
  cutoff: Date,
  options: DeleteOptions = {},
): Promise<RetentionResult> {
  const done = await withRetentionLock(pool, (client) =>
    deleteExpiredRows(client, cutoff, options),
  );
  return done === null ? { deleted: 0, batches: 0, skipped: true } : { ...done, skipped: false };
}

export function retentionCutoff(days: number, now = new Date()): Date {
  return new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
}
