// The availability report's ranking, kept ahead of the request (migration
// 20261210100000_availability_rank). At a million clients the report over 30
// days summed 30 million day rows before it could sort; for its default
// range, the 30 whole UTC days before today, the figures are kept per client
// in `availability_rank`, sorted by an index, so a page reads its rows.
//
// One rule keeps them exact: a client not listed in `availability_rank_dirty`
// has the row (or, when nothing of the window was observed, no row) that
// availabilityFiguresSql computes now for the state's window.
// - The job (rank-scheduler.ts) computes rows in chunks, each in a
//   transaction holding its clients' ingest locks, and unmarks them.
// - Ingest marks every client of a stored batch in the batch's transaction
//   (lib/ingest/rollups.ts), once a state row exists; so does the rollup's
//   rebuild (rebuild.ts). A build starts listing clients only after every
//   batch in flight when its state row was written has committed.
// - A report reads the kept rows of unmarked clients and computes the marked
//   ones with the same SQL: it never lags behind what was accepted. With more
//   marked clients than RANK_DIRTY_LIMIT (after a mass reconnect), or while a
//   new day's ranking is being built, it computes everything directly.
import "server-only";
import type pg from "pg";
import { inTransaction } from "../db/transaction";
import { sql, type Sql } from "../db/sql";
import { LOCK_CLIENTS_SQL } from "../ingest/store-sql";
import { ROLLUP_LOCK } from "../stats/online-rollup-sql";
import { availabilityFiguresSql, FIGURE_CLIENT_COLUMNS, firstDayColumnsSql } from "./read-sql";

const DAY_MS = 86_400_000;

/** The ranking's window: this many whole UTC days before today. */
export const RANK_DAYS = 30;

/** Marked clients a report computes itself; beyond, it does not use the ranking. */
export const RANK_DIRTY_LIMIT = 2_000;

/** Clients computed per transaction by the job. */
export const RANK_CHUNK = 1_000;

const RANK_LOCK = 0x6176_726b; // "avrk"

/** `[from, to)` in epoch ms: the RANK_DAYS whole UTC days before the day of `now`. */
export interface RankWindow {
  from: number;
  to: number;
}

export function rankWindow(now: number): RankWindow {
  const to = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: to - RANK_DAYS * DAY_MS, to };
}

/**
 * The ranking's columns for the clients of `clients` (a query of client_state
 * rows `cs` selecting FIGURE_CLIENT_COLUMNS) over `window`: the report's own
 * figures, the availability computed as the report computes it, the start
 * of the open connection now, and the window's first day's online time and
 * disconnects (its availability_day row). The last three are read by the
 * report CSV for clients neither marked nor with an event stamped at or
 * after the window's end, whose state and days have not changed since.
 */
export function rankFiguresSql(window: RankWindow, clients: Sql): Sql {
  const figures = availabilityFiguresSql([{ w: 0, a: window.from, b: window.to }], clients);
  return sql`SELECT f.client_id, f.online_ms, f.observed_ms, f.disconnects,
         f.online_ms / f.observed_ms AS availability, f.open_start, ${firstDayColumnsSql("fd")}
    FROM (${figures}) f
    LEFT JOIN availability_day fd ON fd.client_id = f.client_id AND fd.day = ${dayText(window.from)}::date`;
}

/** Recomputes the rows of `ids` for `window` and unmarks them, holding their ingest locks. */
export async function recomputeRankOf(
  pool: pg.Pool,
  ids: readonly string[],
  window: RankWindow,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(LOCK_CLIENTS_SQL, [ids]);
    const fresh = rankFiguresSql(
      window,
      sql`SELECT ${FIGURE_CLIENT_COLUMNS} FROM client_state cs WHERE cs.client_id = ANY(${ids}::text[])`,
    );
    // Upsert and delete touch disjoint rows: one statement, no ordering needed.
    const statement = sql`WITH fresh AS MATERIALIZED (${fresh}),
put AS (
  INSERT INTO availability_rank (client_id, online_ms, observed_ms, disconnects, availability, open_start,
    first_day_online_ms, first_day_disconnects)
  SELECT * FROM fresh
  ON CONFLICT (client_id) DO UPDATE SET online_ms = EXCLUDED.online_ms,
    observed_ms = EXCLUDED.observed_ms, disconnects = EXCLUDED.disconnects,
    availability = EXCLUDED.availability, open_start = EXCLUDED.open_start,
    first_day_online_ms = EXCLUDED.first_day_online_ms, first_day_disconnects = EXCLUDED.first_day_disconnects
  RETURNING 1
), gone AS (
  DELETE FROM availability_rank r WHERE r.client_id = ANY(${ids}::text[])
     AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.client_id = r.client_id)
  RETURNING 1
)
DELETE FROM availability_rank_dirty WHERE client_id = ANY(${ids}::text[])`;
    await client.query(statement.text, statement.values);
  });
}

interface StateRow {
  /** YYYY-MM-DD (UTC), whatever the session's time zone. */
  day_to: string;
  ready: boolean;
  built_through: string | null;
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function readState(pool: pg.Pool | pg.ClientBase): Promise<StateRow | undefined> {
  const r = await pool.query<StateRow>(
    "SELECT day_to::text AS day_to, ready, built_through FROM availability_rank_state WHERE id = 1",
  );
  return r.rows[0];
}

export interface RankRun {
  skipped: boolean;
  /** Clients computed for a new window (a whole build, or its part this run did). */
  built: number;
  /** Marked clients recomputed. */
  refreshed: number;
  ready: boolean;
}

export interface RankRunOptions {
  now?: number;
  /**
   * At most this many marked clients recomputed per run (the scheduler's
   * pace); the rest waits for the next run. A new day's build runs whole.
   */
  maxClients?: number;
  /** Clients per transaction (RANK_CHUNK). */
  chunk?: number;
}

/**
 * One pass of the job: starts (or resumes) the build of the window of `now`
 * when the state is for another day, then recomputes marked clients. One
 * app instance at a time (an advisory lock; the others skip).
 */
export async function runRankJob(pool: pg.Pool, options: RankRunOptions = {}): Promise<RankRun> {
  const window = rankWindow(options.now ?? Date.now());
  const budget = options.maxClients ?? Number.POSITIVE_INFINITY;
  const lock = await pool.connect();
  try {
    const got = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
      RANK_LOCK,
    ]);
    if (!got.rows[0]?.ok) return { skipped: true, built: 0, refreshed: 0, ready: false };
    try {
      return await rankPass(pool, window, budget, options.chunk ?? RANK_CHUNK);
    } finally {
      await lock.query("SELECT pg_advisory_unlock($1)", [RANK_LOCK]);
    }
  } finally {
    lock.release();
  }
}

async function rankPass(
  pool: pg.Pool,
  window: RankWindow,
  budget: number,
  chunk: number,
): Promise<RankRun> {
  let state = await readState(pool);
  if (state === undefined || state.day_to !== dayText(window.to)) {
    // A new day: every row is computed again. Ingest marks from now on, so a
    // client touched after its chunk is recomputed by the refresh below.
    await pool.query(
      `INSERT INTO availability_rank_state (id, day_to, ready, built_through, updated_at)
       VALUES (1, $1::date, false, NULL, now())
       ON CONFLICT (id) DO UPDATE SET day_to = EXCLUDED.day_to, ready = false,
         built_through = NULL, updated_at = now()`,
      [dayText(window.to)],
    );
    state = { day_to: dayText(window.to), ready: false, built_through: null };
  }
  let built = 0;
  if (!state.ready) {
    // A batch whose marking statement ran before the state row above was
    // committed did not mark its clients, and a client it is first to store
    // is not listed below until it commits: wait for every batch in flight
    // (each holds the rollup lock shared, LOCK_BATCH_SQL). Batches after
    // this see the state and mark.
    await inTransaction(pool, (c) => c.query("SELECT pg_advisory_xact_lock($1)", [ROLLUP_LOCK]));
    let after = state.built_through ?? "";
    for (;;) {
      const ids = (
        await pool.query<{ client_id: string }>(
          "SELECT client_id FROM client_state WHERE client_id > $1 ORDER BY client_id LIMIT $2",
          [after, chunk],
        )
      ).rows.map((r) => r.client_id);
      if (ids.length === 0) {
        await pool.query(
          "UPDATE availability_rank_state SET ready = true, built_through = NULL, updated_at = now() WHERE id = 1",
        );
        state.ready = true;
        break;
      }
      await recomputeRankOf(pool, ids, window);
      built += ids.length;
      after = ids[ids.length - 1]!;
      await pool.query(
        "UPDATE availability_rank_state SET built_through = $1, updated_at = now() WHERE id = 1",
        [after],
      );
    }
  }
  let refreshed = 0;
  while (state.ready && refreshed < budget) {
    const ids = (
      await pool.query<{ client_id: string }>(
        "SELECT client_id FROM availability_rank_dirty ORDER BY client_id LIMIT $1",
        [Math.min(chunk, budget - refreshed)],
      )
    ).rows.map((r) => r.client_id);
    if (ids.length === 0) break;
    await recomputeRankOf(pool, ids, window);
    refreshed += ids.length;
  }
  return { skipped: false, built, refreshed, ready: state.ready };
}

/**
 * How a report over `[from, end)` can use the ranking: `window` when the
 * range is the ranking's window, `near` when it differs from it by under a
 * day at each end (from within the window's first day, end after the
 * window's end: the rolling 30 days up to now), null when the ranking is not
 * for today's window, is being built, or has more marked clients than
 * RANK_DIRTY_LIMIT.
 */
export async function rankUse(
  pool: pg.Pool | pg.ClientBase,
  from: number,
  end: number,
  now: number,
): Promise<"window" | "near" | null> {
  const window = rankWindow(now);
  const exact = from === window.from && end === window.to;
  const near = from >= window.from && from - window.from <= DAY_MS && end >= window.to;
  if (!exact && !near) return null;
  const r = await pool.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM availability_rank_state
                     WHERE id = 1 AND ready AND day_to = $1::date)
        AND (SELECT count(*) FROM (SELECT 1 FROM availability_rank_dirty LIMIT $2) d) <= $3 AS ok`,
    [dayText(window.to), RANK_DIRTY_LIMIT + 1, RANK_DIRTY_LIMIT],
  );
  if (r.rows[0]?.ok !== true) return null;
  return exact ? "window" : "near";
}

/** Whether a report over `[from, end)` reads its rows from the ranking (rankUse: `window`). */
export async function rankUsable(
  pool: pg.Pool,
  from: number,
  end: number,
  now: number,
): Promise<boolean> {
  return (await rankUse(pool, from, end, now)) === "window";
}

/**
 * Ingest's mark, in the batch's statement after the availability rollup's
 * CTEs: the clients whose figures over the ranking's window the batch may
 * have changed, once a ranking exists. A client's figures over whole days
 * are its days' sum, its open connection's part and its first event, so a
 * batch changes them only by
 * - an event before the window's end (a first event, a late one), or
 * - a change of the days inside the window (av_delta) that the change of
 *   its open connection's part does not cancel, or one of their disconnects.
 * A device online since before midnight that disconnects today trades its
 * open part for a closed one of the same length: it is not marked, so a
 * live fleet's batches leave the ranking alone. `earliest` is JSON
 * [{client_id, at}] of every client of the batch; with `presence`, the
 * apply CTEs (av_in with old_open, av_base, av_delta) are in the statement.
 */
export function rankChangedCte(earliest: string, presence: boolean): Sql {
  const window = sql`(SELECT (day_to::timestamp AT TIME ZONE 'UTC') AS b,
            ((day_to - ${RANK_DAYS}::int)::timestamp AT TIME ZONE 'UTC') AS a,
            day_to - ${RANK_DAYS}::int AS first_day, day_to AS end_day
       FROM availability_rank_state WHERE id = 1)`;
  const part = (open: string) =>
    sql.raw(`CASE WHEN ${open} IS NULL THEN 0
      ELSE GREATEST(0, extract(epoch FROM w.b - GREATEST(w.a, ${open})) * 1000) END`);
  const moved = presence
    ? sql`
    UNION
    SELECT i.client_id
      FROM av_in i JOIN av_base b USING (client_id) CROSS JOIN ${window} w
      LEFT JOIN (
        SELECT d.client_id, sum(d.online_ms) AS online_ms, sum(d.disconnects) AS disconnects
          FROM av_delta d CROSS JOIN ${window} dw
         WHERE d.day >= dw.first_day AND d.day < dw.end_day GROUP BY d.client_id) x USING (client_id)
     WHERE COALESCE(x.online_ms, 0) + ${part("b.open_start")} - ${part("i.old_open")} <> 0
        OR COALESCE(x.disconnects, 0) <> 0`
    : sql.empty;
  return sql`
rank_marked AS (
  INSERT INTO availability_rank_dirty (client_id)
  SELECT client_id FROM (
    SELECT e.client_id
      FROM jsonb_to_recordset(${earliest}::jsonb) AS e(client_id text, at float8)
      CROSS JOIN ${window} w
     WHERE to_timestamp(e.at / 1000.0) < w.b
    ${moved}
  ) m
  ORDER BY 1
  ON CONFLICT (client_id) DO NOTHING
  RETURNING 1
)`;
}

/** The clients of `ids` marked once a ranking exists (the availability rebuild's chunks). */
export const rankMarkCte = (ids: readonly string[]): Sql => sql`
rank_marked AS (
  INSERT INTO availability_rank_dirty (client_id)
  SELECT DISTINCT c FROM unnest(${ids}::text[]) AS c
   WHERE EXISTS (SELECT 1 FROM availability_rank_state WHERE id = 1)
  ORDER BY 1
  ON CONFLICT (client_id) DO NOTHING
  RETURNING 1
)`;
