// Availability reads (docs/availability.md): one device with its day strip,
// the fleet report worst first, and its CSV. Every figure comes from
// read-sql.ts over the rollup that ingest keeps.
import "server-only";
import type pg from "pg";
import { z } from "zod";
import { requireClient } from "../clients/get";
import { fleetMemberSql } from "../clients/infrastructure";
import { whereAll } from "../clients/list";
import { clientIdContainsSql } from "../clients/never-seen";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { ServiceError } from "../errors";
import { streamCsvQuery } from "../export/connections-csv";
import { labelFilterSql, labelsColumnSql } from "../labels/filter-sql";
import type { Labels } from "../../contract/labels";
import { firstEventAtSql } from "../clients/first-event";
import {
  availabilityFiguresSql,
  FIGURE_CLIENT_COLUMNS,
  firstDayColumnsSql,
  ms,
  openStartSql,
  type Window,
} from "./read-sql";
import { rankUse, rankWindow, type RankWindow } from "./rank";
import {
  DEFAULT_RANGE_DAYS,
  MAX_STRIP_DAYS,
  type AvailabilityFiguresView,
  type AvailabilityReportPage,
  type AvailabilityReportQuery,
  type ClientAvailabilityQuery,
  type ClientAvailabilityView,
} from "./schemas";

const DAY_MS = 86_400_000;

interface FigureRow {
  w: number;
  client_id: string;
  online_ms: number;
  observed_ms: number;
  disconnects: number;
}

/** The requested range (defaults filled in) and where observation stops: now. */
function resolveRange(query: { from?: number; to?: number }, now: number) {
  const to = query.to ?? now;
  const from = query.from ?? Math.min(to, now) - DEFAULT_RANGE_DAYS * DAY_MS;
  return { from, to, end: Math.min(to, now) };
}

/**
 * The report's range: without from and to, the ranking's window (the 30
 * whole UTC days before today), which it reads from the kept ranking.
 */
function resolveReportRange(query: { from?: number; to?: number }, now: number) {
  if (query.from !== undefined || query.to !== undefined) return resolveRange(query, now);
  const { from, to } = rankWindow(now);
  return { from, to, end: to };
}

export function toFigures(
  row: { online_ms: number; observed_ms: number; disconnects: number } | undefined,
): AvailabilityFiguresView {
  if (row === undefined || row.observed_ms <= 0)
    return { onlineSeconds: 0, observedSeconds: 0, availability: null, disconnects: 0 };
  return {
    onlineSeconds: row.online_ms / 1000,
    observedSeconds: row.observed_ms / 1000,
    availability: row.online_ms / row.observed_ms,
    disconnects: row.disconnects,
  };
}

const clientRows = (clientId: string) =>
  sql`SELECT ${FIGURE_CLIENT_COLUMNS} FROM client_state cs WHERE cs.client_id = ${clientId}`;

/** One client's figures over windows, by window number (absent: nothing observed). */
export async function rollupFigures(
  clientId: string,
  windows: readonly Window[],
): Promise<Map<number, FigureRow>> {
  const statement = availabilityFiguresSql(windows, clientRows(clientId));
  const result = await db().pool.query<FigureRow>(statement.text, statement.values);
  return new Map(result.rows.map((r) => [r.w, r]));
}

/** GET /api/clients/{clientId}/availability */
export async function clientAvailability(
  clientId: string,
  query: ClientAvailabilityQuery,
  now = Date.now(),
): Promise<ClientAvailabilityView> {
  await requireClient(clientId);
  const { from, to, end } = resolveRange(query, now);
  const windows: Window[] = [{ w: 0, a: from, b: end }];
  const days: string[] = [];
  const firstDay = Math.max(
    Math.floor(from / DAY_MS) * DAY_MS,
    Math.ceil(end / DAY_MS) * DAY_MS - MAX_STRIP_DAYS * DAY_MS,
  );
  for (let d = firstDay; d < end; d += DAY_MS) {
    windows.push({ w: days.length + 1, a: Math.max(d, from), b: Math.min(d + DAY_MS, end) });
    days.push(new Date(d).toISOString().slice(0, 10));
  }
  const figures = await rollupFigures(clientId, windows);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...toFigures(figures.get(0)),
    days: days.map((day, i) => ({ day, ...toFigures(figures.get(i + 1)) })),
  };
}

const ReportCursor = z.object({
  order: z.enum(["asc", "desc"]),
  availability: z.number().min(0).max(1),
  clientId: z
    .string()
    .min(1)
    .refine((id) => Buffer.byteLength(id, "utf8") <= 128 && !id.includes("\0")),
});
type ReportCursor = z.infer<typeof ReportCursor>;

function decodeReportCursor(text: string, order: string): ReportCursor {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    // Not base64 JSON: refused below.
  }
  const result = ReportCursor.safeParse(parsed);
  if (!result.success)
    throw new ServiceError("invalid_query", "cursor: not a cursor returned by this API");
  if (result.data.order !== order)
    throw new ServiceError(
      "invalid_query",
      "cursor: it belongs to another order; start again without it",
    );
  return result.data;
}

/** Where a page starts: after the cursor's row, in the order of the report. */
function afterCursor(c: ReportCursor | undefined, availability: Sql, clientId: Sql): Sql {
  if (c === undefined) return sql`true`;
  return c.order === "asc"
    ? sql`(${availability}, ${clientId}) > (${c.availability}::float8, ${c.clientId}::text)`
    : sql`(${availability} < ${c.availability}::float8
             OR (${availability} = ${c.availability}::float8 AND ${clientId} > ${c.clientId}::text))`;
}

/** The report's order over the columns of `from` (an alias: a CSV's output columns are text). */
const orderBySql = (order: "asc" | "desc", from = "") =>
  // Best first still lists equal figures by client ID, ascending.
  sql.raw(
    order === "asc"
      ? `ORDER BY ${from}availability ASC, ${from}client_id ASC`
      : `ORDER BY ${from}availability DESC, ${from}client_id ASC`,
  );

/** The report's filters on a client ID column: fleet members, `q`, labels. */
function reportFilters(query: AvailabilityReportQuery, column: Sql): Sql[] {
  const where = [fleetMemberSql(column)];
  if (query.q !== undefined) where.push(clientIdContainsSql(column, query.q));
  if (query.label !== undefined) where.push(labelFilterSql(column, query.label));
  return where;
}

const at = (v: number) => sql`${new Date(v)}::timestamptz`;
const f8 = (v: number) => sql`${v}::float8`;

/** The client_state rows (`cs`) a report over a range ending at `end` may list. */
const reportClients = (query: AvailabilityReportQuery, end: number): Sql[] => [
  ...reportFilters(query, sql.raw("cs.client_id")),
  sql`${firstEventAtSql("cs")} < ${at(end)}`,
];

interface Page {
  order: "asc" | "desc";
  cursor?: ReportCursor;
  /** Rows at most (none: the whole report). */
  limit?: number;
}

/**
 * The report's rows, sorted: every fleet client (label, q filters) observed
 * for some of the range, with its availability. Worst first for `asc`; ties
 * by client ID. With `rank` (the range is the ranking's window, rankUse: `window`),
 * the kept rows of the clients not marked, by the ranking's index, and the
 * marked ones computed here; otherwise every client computed here.
 */
function reportSql(
  query: AvailabilityReportQuery,
  from: number,
  end: number,
  page: Page,
  rank: boolean,
): Sql {
  const filters = (column: Sql) => reportFilters(query, column);
  const orderBy = orderBySql(page.order);
  const limit = page.limit === undefined ? sql.empty : sql`LIMIT ${page.limit}`;
  const clients = reportClients(query, end);
  const computed = (extra: Sql[]) =>
    sql`SELECT r.client_id, r.online_ms, r.observed_ms, r.disconnects,
         r.online_ms / r.observed_ms AS availability
    FROM (${availabilityFiguresSql(
      [{ w: 0, a: from, b: end }],
      sql`SELECT ${FIGURE_CLIENT_COLUMNS} FROM client_state cs WHERE ${whereAll([...clients, ...extra])}`,
    )}) r
   WHERE ${afterCursor(page.cursor, sql.raw("r.online_ms / r.observed_ms"), sql.raw("r.client_id"))}`;
  if (!rank) return sql`SELECT * FROM (${computed([])}) r ${orderBy} ${limit}`;
  const marked = (column: Sql) =>
    sql`EXISTS (SELECT 1 FROM availability_rank_dirty d WHERE d.client_id = ${column})`;
  const kept = sql`SELECT k.client_id, k.online_ms, k.observed_ms, k.disconnects, k.availability
    FROM availability_rank k
   WHERE ${whereAll([
     ...filters(sql.raw("k.client_id")),
     sql`NOT ${marked(sql.raw("k.client_id"))}`,
     afterCursor(page.cursor, sql.raw("k.availability"), sql.raw("k.client_id")),
   ])}
   ${orderBy} ${limit}`;
  return sql`SELECT * FROM ((${kept}) UNION ALL (${computed([marked(sql.raw("cs.client_id"))])})) r
    ${orderBy} ${limit}`;
}

/**
 * A client's online time over `[a, b)`, a part of a day, from its closed
 * segments there (those starting in it and the one before, read by the
 * primary key), as availabilityFiguresSql adds them; float8 ms.
 */
const closedOver = (clientId: Sql, a: number, b: number) => sql`(
    SELECT COALESCE(sum(extract(epoch FROM LEAST(s.ends_at, ${at(b)}) - GREATEST(s.starts_at, ${at(a)}))), 0) * 1000
      FROM (
        SELECT s.starts_at, s.ends_at FROM availability_segment s
         WHERE s.client_id = ${clientId} AND s.starts_at >= ${at(a)} AND s.starts_at < ${at(b)}
        UNION ALL
        (SELECT s.starts_at, s.ends_at FROM availability_segment s
          WHERE s.client_id = ${clientId} AND s.starts_at < ${at(a)}
          ORDER BY s.starts_at DESC LIMIT 1)) s
     WHERE s.ends_at > ${at(a)})::float8`;

/** The open connection's part of `[a, b)` (`openStart`: its start, null when none is open). */
const openOver = (openStart: string, a: number, b: number) =>
  sql`CASE WHEN ${sql.raw(openStart)} IS NULL THEN 0
           ELSE GREATEST(0, ${f8(b)} - GREATEST(${f8(a)}, ${ms(openStart)})) END`;

/**
 * The report's rows over `[from, end)` of the clients listed in `ids` (a
 * relation with client_id; the report's filters applied), computed directly.
 */
function figuresOfSql(query: AvailabilityReportQuery, from: number, end: number, ids: string): Sql {
  const clients = reportClients(query, end);
  return sql`SELECT r.client_id, r.online_ms, r.observed_ms, r.disconnects, r.online_ms / r.observed_ms AS availability
  FROM (${availabilityFiguresSql(
    [{ w: 0, a: from, b: end }],
    sql`SELECT ${FIGURE_CLIENT_COLUMNS} FROM ${sql.raw(ids)} ids CROSS JOIN LATERAL (
          SELECT * FROM client_state cs WHERE cs.client_id = ids.client_id OFFSET 0) cs
         WHERE ${whereAll(clients)}`,
  )}) r`;
}

/** Slack on the bounds, far above float8's rounding of figures near a month of milliseconds. */
const BOUND_SLACK = 1e-9;
/** Clients observed for less of the window than this are not bounded by the ranking's index. */
const YOUNG_MS = 2 * DAY_MS;
/** Pages of the ranking's first clients whose estimates bound a near range's page (nearReportSql). */
const SEED_PAGES = 8;

/**
 * A page of the report over `[from, end)` near the ranking's window `k`
 * (rankUse: `near`), e.g. the 30 days up to now. A client's figures over the
 * range are its kept figures over the window, less the part of the window
 * before `from` (under a day) and plus the part of the range after the
 * window (under a day). Observed time over the range is exact from the kept
 * row (the window's observed time gives the first event when it falls in
 * the window). Online time is
 *
 * - bounded from the kept row alone: at least the kept time less the
 *   observed part before `from`, at most the kept time plus the part after;
 *   so each kept client's availability over the range has bounds `lo`, `hi`;
 * - estimated from the kept row and the client's few segments in those two
 *   parts (a probe or two each side, not thirty day rows), as
 *   availabilityFiguresSql adds them. The estimate is the figure: both sum
 *   whole milliseconds (event times and range ends are whole ms) in float8,
 *   exact below 2^53, and divide the same two numbers.
 *
 * Worst first:
 *
 * - The first SEED_PAGES × n clients of the ranking's index surely after the
 *   cursor (`lo` above it) are estimated; the n-th smallest estimate gives
 *   τ: at least n clients after the cursor are at or below it.
 * - A client whose `lo` is above τ cannot be on the page. The others (`lo`
 *   at most τ, `hi` not below the cursor: the band) are read by the
 *   ranking's index: `lo` ≥ (online − part before `from`) / range length,
 *   so `lo` ≤ τ bounds the kept availability of a client observed for at
 *   least the window less YOUNG_MS. The marked clients and those first
 *   seen in the window's last days (their kept rows, if any, are stale or
 *   outside that bound) are computed exactly.
 * - Each client of the band is estimated. The page's clients are the first
 *   n after the cursor of the estimates and the exact figures, in the
 *   report's order (equal figures by client ID: a bunch of devices sharing
 *   the page's last figure costs their estimates, not their figures). Those
 *   of the band are computed exactly (their disconnects), then sorted with
 *   the others as the report is.
 *
 * Best first is the mirror image. Only the bounds need BOUND_SLACK; every
 * listed figure is computed as the direct report computes it (rank.test.ts
 * holds the two together, ties and pages through cursors included).
 */
function nearReportSql(
  query: AvailabilityReportQuery,
  from: number,
  end: number,
  k: RankWindow,
  page: Page & { limit: number },
): Sql {
  const asc = page.order === "asc";
  const window = k.to - k.from;
  const length = end - from;
  const before = from - k.from;
  const after = end - k.to;
  const oldMs = window - YOUNG_MS;
  const n = page.limit;
  const filters = (column: Sql) => reportFilters(query, column);
  // The cursor's availability; without one, every client is after it.
  const c = page.cursor?.availability ?? (asc ? -1 : 2);
  const slack = f8(BOUND_SLACK);
  // Observed over the range: from the later of `from` and the first event (W1 − observed).
  const bounds = sql`SELECT k.client_id, k.availability, k.observed_ms, k.online_ms, x.o,
         GREATEST(0, k.online_ms - GREATEST(0, ${f8(from)} - (${f8(k.to)} - k.observed_ms))) / x.o
           - ${slack} AS lo,
         LEAST(x.o, k.online_ms + ${f8(after)}) / x.o + ${slack} AS hi
    FROM availability_rank k
   CROSS JOIN LATERAL (
     SELECT ${f8(end)} - GREATEST(${f8(from)}, ${f8(k.to)} - k.observed_ms) AS o) x
   WHERE ${whereAll([
     ...filters(sql.raw("k.client_id")),
     sql`NOT EXISTS (SELECT 1 FROM availability_rank_dirty d WHERE d.client_id = k.client_id)`,
   ])}`;
  // The first clients of the ranking's order surely after the cursor, more
  // than a page of them: their estimates give τ.
  const seedRows = asc
    ? sql`SELECT b.client_id, b.online_ms, b.o FROM (${bounds}) b WHERE b.lo > ${f8(c)}
           ORDER BY b.availability, b.client_id LIMIT ${SEED_PAGES * n}`
    : sql`SELECT b.client_id, b.online_ms, b.o FROM (${bounds}) b WHERE b.hi < ${f8(c)}
           ORDER BY b.availability DESC, b.client_id LIMIT ${SEED_PAGES * n}`;
  // τ from the seeds' estimates: with fewer than n, every client after the cursor is a candidate.
  const tau = asc
    ? sql`SELECT CASE WHEN count(*) = ${n} THEN max(v) ELSE 'infinity'::float8 END AS t FROM seeds`
    : sql`SELECT CASE WHEN count(*) = ${n} THEN min(v) ELSE '-infinity'::float8 END AS t FROM seeds`;
  // The kept availability a candidate observed for at least oldMs can have.
  const t = sql.raw("(SELECT t FROM tau)");
  const band = asc
    ? sql`SELECT b.client_id, b.online_ms, b.o FROM (${bounds}) b
           WHERE b.availability <= LEAST(1, ((${t} + ${slack}) * ${f8(length)} + ${f8(before)}) / ${f8(oldMs)})
             AND b.observed_ms >= ${f8(oldMs)} AND b.hi >= ${f8(c)} AND b.lo <= ${t}`
    : sql`SELECT b.client_id, b.online_ms, b.o FROM (${bounds}) b
           WHERE b.availability >= GREATEST(0, ((${t} - ${slack}) * ${f8(oldMs)} - ${f8(after)}) / ${f8(window)})
             AND b.observed_ms >= ${f8(oldMs)} AND b.lo <= ${f8(c)} AND b.hi >= ${t}`;
  // Young clients (first seen after the window's first YOUNG_MS, today's new
  // ones among them; a second's overlap with the band against rounding).
  const young = sql`SELECT cs.client_id FROM client_state cs
   WHERE cs.first_event_at >= ${new Date(k.from + YOUNG_MS - 1_000)}::timestamptz
     AND cs.first_event_at < ${new Date(end)}::timestamptz`;
  const figuresOf = (ids: string) => figuresOfSql(query, from, end, ids);
  const onlineOver = (a: number, b: number) =>
    sql`(${closedOver(sql.raw("e.client_id"), a, b)} + ${openOver("cs.open_start", a, b)})`;
  const surely = asc ? sql`v - ${slack} > ${f8(c)}` : sql`v + ${slack} < ${f8(c)}`;
  // Estimates of the kept clients of `rows` (client_id, online_ms, o): v.
  const estimates = (rows: string) => sql`SELECT e.client_id,
         (e.online_ms - ${onlineOver(k.from, from)} + ${onlineOver(k.to, end)}) / e.o AS v
    FROM ${sql.raw(rows)} e CROSS JOIN LATERAL (
      SELECT CASE WHEN cs.disconnected_at IS NULL THEN cs.connected_at END AS open_start
        FROM client_state cs WHERE cs.client_id = e.client_id OFFSET 0) cs`;
  // The n values at the page's side of `values` (v) that are surely after the cursor, with slack.
  const nearest = (values: Sql) => sql`SELECT ${asc ? sql`v + ${slack}` : sql`v - ${slack}`} AS v
    FROM (${values}) x WHERE ${surely} ORDER BY v ${sql.raw(asc ? "" : "DESC")} LIMIT ${n}`;
  return sql`WITH seed_rows AS MATERIALIZED (${seedRows}),
seeds AS (${nearest(estimates("seed_rows"))}), tau AS (${tau}),
other AS MATERIALIZED (SELECT client_id FROM availability_rank_dirty UNION ${young}),
exact AS MATERIALIZED (${figuresOf("other")}),
band AS MATERIALIZED (${band}),
est AS MATERIALIZED (
  SELECT * FROM (${estimates("band")}) e WHERE e.client_id NOT IN (SELECT client_id FROM other)
),
pick AS MATERIALIZED (
  SELECT x.client_id, x.kept FROM (
    SELECT client_id, v AS availability, true AS kept FROM est
    UNION ALL SELECT client_id, availability, false FROM exact) x
   WHERE ${afterCursor(page.cursor, sql.raw("x.availability"), sql.raw("x.client_id"))}
   ${orderBySql(page.order, "x.")} LIMIT ${n}
),
ids AS MATERIALIZED (SELECT client_id FROM pick WHERE kept)
SELECT * FROM (${figuresOf("ids")} UNION ALL SELECT * FROM exact) r
 WHERE ${afterCursor(page.cursor, sql.raw("r.availability"), sql.raw("r.client_id"))}
 ${orderBySql(page.order)} LIMIT ${n}`;
}

/**
 * The whole report over `[from, end)` near the ranking's window `k` (rankUse:
 * `near`), unsorted, for the CSV: each kept client's figures over the window
 * less the part of the window before `from` and plus the part of the range
 * after the window, as nearReportSql estimates them, so the same figures as
 * computed directly (whole milliseconds in float8). Read by the fleet, not
 * per page: the part after the window (today's) from the segments and
 * disconnects of today by their end; the part before from the window's first
 * day's figures, with a probe of segments and disconnects only for clients
 * first seen before `from` whose first day was neither all offline nor all
 * online (a day's segments do not overlap) nor without a disconnect; the
 * open connection's parts from its start. The first day's figures and the
 * start are those the ranking kept, or for clients with an event stamped at
 * or after the window's end, read afresh (ingest does not mark those when
 * the window's figures stay the same, yet closing a connection open since
 * before the window moves both; events stamped before it mark the client).
 * Marked clients and those first seen after the window are computed
 * directly.
 */
function nearCsvRowsSql(
  query: AvailabilityReportQuery,
  from: number,
  end: number,
  k: RankWindow,
): Sql {
  const filters = (column: Sql) => reportFilters(query, column);
  const firstDay = new Date(k.from).toISOString().slice(0, 10);
  const other = sql`SELECT client_id FROM availability_rank_dirty
    UNION SELECT cs.client_id FROM client_state cs
     WHERE cs.first_event_at >= ${at(k.to)} AND cs.first_event_at < ${at(end)}`;
  // The ranking's kept value, or for a client with events since the window's end, its value now.
  const keptOrAfresh = (column: string) =>
    sql.raw(`CASE WHEN mv.client_id IS NULL THEN k.${column} ELSE mv.${column} END AS ${column}`);
  // Observed from `from` on (first seen then or later: the window's
  // observed time starts at its first event): nothing before it to take away.
  const seenFromThen = sql`${f8(k.to)} - k.observed_ms >= ${f8(from)}`;
  const closedBefore = sql`CASE WHEN kv.first_day_online_ms = 0 OR ${seenFromThen} THEN 0
         WHEN kv.first_day_online_ms = ${DAY_MS} THEN ${f8(from - k.from)}
         ELSE ${closedOver(sql.raw("k.client_id"), k.from, from)} END`;
  const disconnectsBefore = sql`CASE WHEN kv.first_day_disconnects = 0 OR ${seenFromThen} THEN 0 ELSE (
      SELECT count(*) FROM connection c WHERE c.client_id = k.client_id
         AND c.disconnected_at >= ${at(k.from)} AND c.disconnected_at < ${at(from)})::float8 END`;
  return sql`WITH other AS MATERIALIZED (${other}),
after_online AS MATERIALIZED (
  SELECT s.client_id,
         (sum(extract(epoch FROM LEAST(s.ends_at, ${at(end)}) - GREATEST(s.starts_at, ${at(k.to)}))) * 1000)::float8 AS online_ms
    FROM availability_segment s WHERE s.ends_at > ${at(k.to)} AND s.starts_at < ${at(end)}
   GROUP BY s.client_id
), after_disconnects AS MATERIALIZED (
  SELECT c.client_id, count(*)::float8 AS n FROM connection c
   WHERE c.disconnected_at >= ${at(k.to)} AND c.disconnected_at < ${at(end)}
   GROUP BY c.client_id
), moved AS MATERIALIZED (
  SELECT cs.client_id, ${openStartSql("cs")} AS open_start, ${firstDayColumnsSql("d")}
    FROM client_state cs
    LEFT JOIN availability_day d ON d.client_id = cs.client_id AND d.day = ${firstDay}::date
   WHERE cs.last_event_at >= ${at(k.to)}
), kept AS (
  SELECT k.client_id, x.o AS observed_ms,
         k.online_ms - ${closedBefore} - ${openOver("kv.open_start", k.from, from)}
           + COALESCE(ao.online_ms, 0) + ${openOver("kv.open_start", k.to, end)} AS online_ms,
         k.disconnects - ${disconnectsBefore} + COALESCE(ad.n, 0) AS disconnects
    FROM availability_rank k
    LEFT JOIN moved mv ON mv.client_id = k.client_id
   CROSS JOIN LATERAL (
     SELECT ${keptOrAfresh("open_start")}, ${keptOrAfresh("first_day_online_ms")},
            ${keptOrAfresh("first_day_disconnects")}) kv
    LEFT JOIN after_online ao ON ao.client_id = k.client_id
    LEFT JOIN after_disconnects ad ON ad.client_id = k.client_id
   CROSS JOIN LATERAL (
     SELECT ${f8(end)} - GREATEST(${f8(from)}, ${f8(k.to)} - k.observed_ms) AS o) x
   WHERE ${whereAll([
     ...filters(sql.raw("k.client_id")),
     sql`k.client_id NOT IN (SELECT client_id FROM other)`,
   ])}
)
SELECT client_id, online_ms, observed_ms, disconnects, online_ms / observed_ms AS availability
  FROM (SELECT * FROM kept OFFSET 0) kept
UNION ALL ${figuresOfSql(query, from, end, "other")}`;
}

/** The page asked for: its order, and the cursor decoded (refused when it is not one of ours). */
function pageOf(query: AvailabilityReportQuery, limit?: number): Page {
  const cursor =
    query.cursor === undefined ? undefined : decodeReportCursor(query.cursor, query.order);
  return { order: query.order, cursor, limit };
}

/** GET /api/reports/availability */
export async function availabilityReport(
  query: AvailabilityReportQuery,
  now = Date.now(),
): Promise<AvailabilityReportPage> {
  const { from, to, end } = resolveReportRange(query, now);
  const page = pageOf(query, query.limit + 1);
  const use = await rankUse(db().pool, from, end, now);
  const ranked =
    use === "near"
      ? nearReportSql(query, from, end, rankWindow(now), { ...page, limit: query.limit + 1 })
      : reportSql(query, from, end, page, use === "window");
  // Labels only for the rows of the page, after the sort.
  const statement = sql`SELECT p.*, ${labelsColumnSql(sql.raw("p.client_id"))} AS labels
    FROM (${ranked}) p ${orderBySql(query.order, "p.")}`;
  const result = await db().pool.query<FigureRow & { availability: number; labels: Labels }>(
    statement.text,
    statement.values,
  );
  const rows = result.rows.slice(0, query.limit);
  const last = rows[rows.length - 1];
  const nextCursor =
    result.rows.length > query.limit && last !== undefined
      ? Buffer.from(
          JSON.stringify({
            order: query.order,
            availability: last.availability,
            clientId: last.client_id,
          }),
        ).toString("base64url")
      : null;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    items: rows.map((r) => ({
      clientId: r.client_id,
      ...toFigures(r),
      labels: r.labels,
    })),
    nextCursor,
  };
}

export const REPORT_CSV_COLUMNS = [
  "clientId",
  "availability",
  "onlineSeconds",
  "observedSeconds",
  "disconnects",
  "labels",
] as const;

/**
 * The CSV's rows: the whole report (no limit, no cursor), each cell text made
 * by PostgreSQL. `use`: how it reads the ranking (rankUse said so), or not at all.
 */
export function availabilityReportCsvSql(
  query: AvailabilityReportQuery,
  now = Date.now(),
  use: "window" | "near" | null = null,
): Sql {
  const { from, end } = resolveReportRange(query, now);
  const rows =
    use === "near"
      ? nearCsvRowsSql(query, from, end, rankWindow(now))
      : reportSql(query, from, end, { order: query.order }, use === "window");
  // The labels joined before the sort, in one pass over client_label_set:
  // probed row by row after it, in availability order, they cost 8 of 19 s
  // at a million rows. The sorted subquery is not flattened, and a
  // projection keeps its order. float8 text is the shortest exact form;
  // labels are a JSON object.
  return sql`SELECT p.client_id, p.availability::text, (p.online_ms / 1000)::text,
         (p.observed_ms / 1000)::text, p.disconnects::bigint::text, COALESCE(p.labels, '{}')
    FROM (SELECT r.client_id, r.availability, r.online_ms, r.observed_ms, r.disconnects,
                 ls.labels::text AS labels
            FROM (${rows}) r LEFT JOIN client_label_set ls ON ls.client_id = r.client_id
           ${orderBySql(query.order, "r.")}) p`;
}

/** The CSV's statement as the route runs it: reading the ranking when rankUse says it can. */
export async function availabilityReportCsvStatement(
  pool: pg.Pool | pg.ClientBase,
  query: AvailabilityReportQuery,
  now = Date.now(),
): Promise<Sql> {
  const { from, end } = resolveReportRange(query, now);
  return availabilityReportCsvSql(query, now, await rankUse(pool, from, end, now));
}

/** GET /api/reports/availability.csv, streamed under the export limits. */
export async function availabilityReportCsv(
  query: AvailabilityReportQuery,
  operator: string,
  now = Date.now(),
): Promise<ReadableStream<Uint8Array>> {
  const statement = await availabilityReportCsvStatement(db().pool, query, now);
  return streamCsvQuery(statement, REPORT_CSV_COLUMNS, operator);
}

/** availability-2026-12-04.csv */
export function reportFileName(now = new Date()): string {
  return `availability-${now.toISOString().slice(0, 10)}.csv`;
}
