// Availability read from the rollup: whole UTC days from availability_day,
// the partial first and last day exactly from availability_segment and the
// connections' disconnects, the open current connection from client_state up
// to the end of the range, observed time from the client's first event
// (lib/clients/first-event.ts). Same figures as lib/presence/availability.ts (the
// property test lib/availability/rollup.test.ts holds them together).
import "server-only";
import { firstEventAtSql } from "../clients/first-event";
import { sql, type Sql } from "../db/sql";

const DAY_MS = 86_400_000;

/** One range to report on: `[a, b)` in epoch ms, b already cut at now. */
export interface Window {
  w: number;
  a: number;
  b: number;
}

/** A part of a window: whole UTC days read from the day rollup, or a partial day read exactly. */
interface Piece {
  w: number;
  whole: boolean;
  a: number;
  b: number;
}

/** Splits each window into whole UTC days and at most two partial days. */
export function windowPieces(windows: readonly Window[]): Piece[] {
  const pieces: Piece[] = [];
  for (const { w, a, b } of windows) {
    if (b <= a) continue;
    const firstDay = Math.ceil(a / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(b / DAY_MS) * DAY_MS;
    if (firstDay >= lastDay) {
      pieces.push({ w, whole: false, a, b });
      continue;
    }
    if (a < firstDay) pieces.push({ w, whole: false, a, b: firstDay });
    pieces.push({ w, whole: true, a: firstDay, b: lastDay });
    if (lastDay < b) pieces.push({ w, whole: false, a: lastDay, b });
  }
  return pieces;
}

/** A timestamptz column as float8 epoch ms, as the figures add it (whole ms stay whole). */
export const ms = (column: string) => sql.raw(`(extract(epoch FROM ${column}) * 1000)::float8`);

/** The start of the open connection of client_state row `alias` (null when none is open). */
export const openStartSql = (alias: string): Sql =>
  sql.raw(`CASE WHEN ${alias}.disconnected_at IS NULL THEN ${alias}.connected_at END`);

/**
 * A client's figures on one day from its availability_day row `alias` (of a
 * LEFT JOIN: no row is no online time and no disconnect), as the ranking
 * keeps them for its window's first day.
 */
export const firstDayColumnsSql = (alias: string): Sql =>
  sql.raw(`COALESCE(${alias}.online_ms, 0) AS first_day_online_ms,
         COALESCE(${alias}.disconnects, 0) AS first_day_disconnects`);

/**
 * The client_state columns `availabilityFiguresSql` reads, for `FROM client_state cs`:
 * the first event time, and the start of the open current connection (null when none is open).
 */
export const FIGURE_CLIENT_COLUMNS = sql`cs.client_id, ${firstEventAtSql("cs")} AS first_event_at,
  ${openStartSql("cs")} AS open_start`;

/**
 * Per window and client of `clients` (a query of client_state rows selecting
 * FIGURE_CLIENT_COLUMNS), `online_ms`, `observed_ms` and `disconnects` as
 * float8, plus `w`, `client_id` and the client's `open_start` (passed
 * through). Clients observed for none of a window's time are left out.
 */
export function availabilityFiguresSql(windows: readonly Window[], clients: Sql): Sql {
  const pieces = windowPieces(windows);
  return sql`
WITH win AS (
  SELECT * FROM jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) AS x(w int, a float8, b float8)
), piece AS (
  SELECT w, whole, to_timestamp(a / 1000.0) AS a, to_timestamp(b / 1000.0) AS b
    FROM jsonb_to_recordset(${JSON.stringify(pieces)}::jsonb) AS x(w int, whole boolean, a float8, b float8)
), cl AS MATERIALIZED (${clients}
), whole_days AS (
  SELECT p.w, d.client_id, sum(d.online_ms)::float8 AS online_ms, sum(d.disconnects)::float8 AS disconnects
    FROM piece p JOIN availability_day d
      ON d.day >= (p.a AT TIME ZONE 'UTC')::date AND d.day < (p.b AT TIME ZONE 'UTC')::date
   WHERE p.whole AND d.client_id IN (SELECT client_id FROM cl)
   GROUP BY p.w, d.client_id
), part_online AS (
  SELECT p.w, s.client_id,
         (sum(extract(epoch FROM LEAST(s.ends_at, p.b) - GREATEST(s.starts_at, p.a))) * 1000)::float8 AS online_ms
    FROM piece p JOIN availability_segment s ON s.ends_at > p.a AND s.starts_at < p.b
   WHERE NOT p.whole AND s.client_id IN (SELECT client_id FROM cl)
   GROUP BY p.w, s.client_id
), part_disconnects AS (
  SELECT p.w, c.client_id, count(*)::float8 AS disconnects
    FROM piece p JOIN connection c ON c.disconnected_at >= p.a AND c.disconnected_at < p.b
   WHERE NOT p.whole AND c.client_id IN (SELECT client_id FROM cl)
   GROUP BY p.w, c.client_id
)
SELECT win.w, cl.client_id,
       win.b - GREATEST(win.a, ${ms("cl.first_event_at")}) AS observed_ms,
       COALESCE(wd.online_ms, 0) + COALESCE(po.online_ms, 0)
         + CASE WHEN cl.open_start IS NOT NULL
                THEN GREATEST(0, win.b - GREATEST(win.a, ${ms("cl.open_start")})) ELSE 0 END AS online_ms,
       COALESCE(wd.disconnects, 0) + COALESCE(pd.disconnects, 0) AS disconnects,
       cl.open_start
  FROM win CROSS JOIN cl
  LEFT JOIN whole_days wd ON wd.w = win.w AND wd.client_id = cl.client_id
  LEFT JOIN part_online po ON po.w = win.w AND po.client_id = cl.client_id
  LEFT JOIN part_disconnects pd ON pd.w = win.w AND pd.client_id = cl.client_id
 WHERE win.b > GREATEST(win.a, ${ms("cl.first_event_at")})`;
}
