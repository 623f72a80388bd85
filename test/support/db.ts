import pg from "pg";
import { db } from "../../lib/db/client";

/** Every table ingest writes: what a test or a benchmark run empties to start afresh. */
export const DATA_TABLES = [
  "lifecycle_event",
  "connection",
  "client_state",
  "subscription_state",
  "connect_failure",
  "quarantined_event",
  "client_label",
  "client_label_set",
  // The availability rollup, kept by ingest.
  "availability_segment",
  "availability_day",
  // Derived from the above by the incident job; its progress row goes with them.
  "incident_client",
  "incident",
  "incident_detector",
  // The online chart's rollup, its built marker included: emptied with the
  // connections, the chart reads the connection table until it is rebuilt.
  "online_minute",
  "online_rollup_state",
  "label_count",
  "presence_overlap",
  // The availability report's ranking, its marks and its state: emptied
  // with the days it was computed from, rebuilt by its job.
  "availability_rank",
  "availability_rank_dirty",
  "availability_rank_state",
] as const;

/**
 * Runs a TRUNCATE of many tables, again when PostgreSQL ends it as a
 * deadlock's victim. TRUNCATE locks its tables one by one in the order given,
 * and an app's background job (the availability ranking, the incident
 * detector) holding one of them while it waits for another is a deadlock;
 * PostgreSQL aborts one side, which is then retried. Seen in CI's bench
 * smoke (2026-12-06): the ranking job of the app under test and the bench's
 * reset between two loads.
 */
export async function truncateRetrying(
  query: (sql: string) => Promise<unknown>,
  sql: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await query(sql);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== "40P01" || attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/** Empties every data table (not the migrations record). */
export async function resetDatabase(): Promise<void> {
  await truncateRetrying(
    (sql) => db().pool.query(sql),
    `TRUNCATE ${DATA_TABLES.join(", ")} RESTART IDENTITY`,
  );
}

/** How many rows `table` holds. */
export async function countRows(table: string): Promise<number> {
  const r = await db().pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r.rows[0]!.n;
}

/** One short-lived connection for `fn`; a dropped connection fails its query rather than crashing the process. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
