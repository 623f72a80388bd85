// The online chart's rollup: per-minute span starts and ends, kept up to date
// inside each ingest transaction, so the chart reads O(minutes in range)
// rows whatever the fleet's size (docs/model.md, "Online history"). The
// rule is online-history.ts's; the property test holds the two to each other.
// Ingest's part is in lib/ingest/rollups.ts.
import "server-only";
import type pg from "pg";
import { globToLike, infrastructureGlobs } from "../clients/infrastructure";
import { db } from "../db/client";
import { sql } from "../db/sql";
import { inTransaction } from "../db/transaction";
import { REBUILD_OVERLAPS_SQL } from "../clients/overlap-sql";
import { REBUILD_LABEL_COUNTS_SQL } from "../labels/counts-sql";
import { REBUILD_SQL, RECOUNT_CLIENTS_SQL, ROLLUP_LOCK } from "./online-rollup-sql";

/** The infrastructure globs of this process, as the rollup stores them. */
export function rollupLikes(): string[] {
  return infrastructureGlobs().map(globToLike);
}

/**
 * Recomputes the rollup from the connection table for `likes` (this
 * process's infrastructure globs), ingest waiting meanwhile. Needed once on
 * a database that has connections but no rollup, and after the
 * infrastructure globs change.
 */
export async function rebuildOnlineRollup(
  pool: pg.Pool = db().pool,
  likes = rollupLikes(),
  options: { onlyIfStale?: boolean } = {},
): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const lock = sql`SELECT pg_advisory_xact_lock(${ROLLUP_LOCK})`;
    await client.query(lock.text, lock.values);
    if (options.onlyIfStale) {
      // Several app instances start at once: the first rebuilds, the others find it done.
      const current = sql`SELECT 1 FROM online_rollup_state WHERE id = 1 AND infrastructure_likes = ${likes}::text[]`;
      const { rows } = await client.query(current.text, current.values);
      if (rows.length > 0) {
        return false;
      }
    }
    await client.query("DELETE FROM online_minute");
    await client.query("DELETE FROM label_count");
    await client.query("DELETE FROM presence_overlap");
    const state = sql`
      INSERT INTO online_rollup_state (id, infrastructure_likes, built_at)
      VALUES (1, ${likes}::text[], now())
      ON CONFLICT (id) DO UPDATE SET infrastructure_likes = EXCLUDED.infrastructure_likes,
        built_at = EXCLUDED.built_at`;
    await client.query(state.text, state.values);
    await client.query(REBUILD_SQL.text, REBUILD_SQL.values);
    await client.query(RECOUNT_CLIENTS_SQL.text, RECOUNT_CLIENTS_SQL.values);
    await client.query(REBUILD_LABEL_COUNTS_SQL.text, REBUILD_LABEL_COUNTS_SQL.values);
    await client.query(REBUILD_OVERLAPS_SQL.text, REBUILD_OVERLAPS_SQL.values);
    return true;
  });
}

/**
 * At app start: builds the rollup if this database has none, or one for
 * other infrastructure globs. Until then the chart reads the connection table.
 */
export async function ensureOnlineRollup(): Promise<void> {
  const started = Date.now();
  if (await rebuildOnlineRollup(db().pool, rollupLikes(), { onlyIfStale: true }))
    console.log(`built the online chart's rollup in ${Date.now() - started} ms`);
}

/** Whether the rollup exists and leaves out the clients this process calls infrastructure. */
export async function rollupMatches(pool: pg.Pool = db().pool): Promise<boolean> {
  const q = sql`SELECT 1 FROM online_rollup_state WHERE id = 1 AND infrastructure_likes = ${rollupLikes()}::text[]`;
  const { rows } = await pool.query(q.text, q.values);
  return rows.length > 0;
}

/**
 * The chart's sample deltas from the rollup, or null when it is not built
 * for this process's infrastructure globs. `from` and `to` are whole
 * minutes. A minute instant m in (from, to] counts at the first sample at or
 * after it; the base (online at `from`) is minus the sum of every later row,
 * since starts and ends balance over the whole table (open spans end at
 * 'infinity'): rows after `from` only, whatever the fleet's size.
 */
export async function rollupDeltas(
  from: number,
  to: number,
  stepMs: number,
): Promise<{ base: number; deltaAt: Map<number, number>; firstSample: number } | null> {
  const q = sql`
    WITH st AS (SELECT 1 FROM online_rollup_state
                 WHERE id = 1 AND infrastructure_likes = ${rollupLikes()}::text[])
    SELECT CASE WHEN minute <= ${new Date(to)}
                THEN ceil(date_part('epoch', minute - ${new Date(from)}::timestamptz) / ${stepMs / 1000})::int
           END AS k,
           sum(starts)::int AS starts, sum(ends)::int AS ends
      FROM online_minute WHERE minute > ${new Date(from)} AND EXISTS (SELECT 1 FROM st)
     GROUP BY 1
    UNION ALL SELECT -1, 0, 0 WHERE EXISTS (SELECT 1 FROM st)`;
  const { rows } = await db().pool.query<{ k: number | null; starts: number; ends: number }>(
    q.text,
    q.values,
  );
  if (!rows.some((r) => r.k === -1)) return null;
  let later = 0;
  let firstStart = Infinity;
  const deltaAt = new Map<number, number>();
  for (const { k, starts, ends } of rows) {
    later += starts - ends;
    if (k === null || k < 0) continue;
    deltaAt.set(k, (deltaAt.get(k) ?? 0) + starts - ends);
    if (starts > 0) firstStart = Math.min(firstStart, k);
  }
  const base = -later;
  return { base, deltaAt, firstSample: base > 0 ? 0 : firstStart };
}
