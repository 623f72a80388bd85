import "server-only";
import { defaultOrder } from "../../contract/client-list";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import {
  clientColumnsSql,
  msInterval,
  pendingBoundSql,
  statusSql,
  toClientView,
  type ClientRow,
} from "./client-row";
import { decodeCursor, encodeCursor } from "./cursor";
import { fleetMemberSql } from "./infrastructure";
import type { LabelFilter } from "../../contract/labels";
import { labelFilterSql } from "../labels/filter-sql";
import type { ClientPage, Counts, ListClientsQuery } from "./schemas";

/** `q` is a plain substring: LIKE's wildcards in it are escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * GET /api/clients. Keyset pagination on (sort value, clientId): a page never
 * repeats or skips a client whose sort value did not change meanwhile.
 */
export async function listClients(query: ListClientsQuery, now = new Date()): Promise<ClientPage> {
  const config = presenceConfig();
  const order = query.order ?? defaultOrder(query.sort);
  const sortColumn = sql.raw(query.sort === "clientId" ? "cs.client_id" : "cs.last_event_at");
  const where: Sql[] = [fleetMemberSql(sql.raw("cs.client_id"))];
  if (query.q !== undefined) where.push(sql`cs.client_id LIKE ${likePattern(query.q)}`);
  if (query.label !== undefined) where.push(labelFilterSql(sql.raw("cs.client_id"), query.label));
  if (query.status !== undefined) {
    where.push(sql`${statusSql(now, config)} = ${query.status}`);
    if (query.status === "pending") where.push(pendingBoundSql(now, config));
  }
  if (query.source !== undefined) where.push(sql`cs.source = ${query.source}`);
  if (query.flapping !== undefined) {
    // The flapping clients: few, found through the disconnected_at index, not row by row.
    const flapping = sql`cs.client_id IN (SELECT c.client_id FROM connection c
       WHERE c.disconnected_at > ${now}::timestamptz - ${msInterval(config.flapWindowMs)}
       GROUP BY c.client_id HAVING count(*) >= ${config.flapThreshold}::int)`;
    where.push(query.flapping ? flapping : sql`NOT ${flapping}`);
  }
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor, query.sort, order);
    const value =
      query.sort === "clientId"
        ? sql`${cursor.value}::text`
        : sql`${new Date(cursor.value)}::timestamptz`;
    const cmp = sql.raw(order === "asc" ? ">" : "<");
    where.push(sql`(${sortColumn}, cs.client_id) ${cmp} (${value}, ${cursor.clientId}::text)`);
  }
  const dir = sql.raw(order === "asc" ? "ASC" : "DESC");
  const statement = sql`SELECT ${clientColumnsSql(now, config)}
    FROM client_state cs WHERE ${whereAll(where)}
    ORDER BY ${sortColumn} ${dir}, cs.client_id ${dir} LIMIT ${query.limit + 1}`;
  const [rows, counts] = await Promise.all([
    db().pool.query<ClientRow>(statement.text, statement.values),
    pageCounts({ q: query.q, label: query.label }, query.cursor !== undefined, now),
  ]);
  const page = rows.rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.rows.length > query.limit && last !== undefined
      ? encodeCursor({
          sort: query.sort,
          order,
          value: query.sort === "clientId" ? last.client_id : last.last_event_at.toISOString(),
          clientId: last.client_id,
        })
      : null;
  return { items: page.map((r) => toClientView(r, now.getTime(), config)), nextCursor, counts };
}

/** Scrolling pages reuse the counts of the first page this long (they cost a scan of the fleet). */
const COUNTS_REUSE_MS = 5_000;
const MAX_CACHED_COUNTS = 256;
const recentCounts = new Map<string, { counts: Counts; at: number }>();

/**
 * The counts for a page: the first page (no cursor) always counts afresh;
 * later pages of the same search within COUNTS_REUSE_MS reuse that answer
 * instead of recounting 100,000 clients per page while a list is scrolled.
 * Live totals reach the UI through the stream's summary events anyway.
 */
async function pageCounts(filters: CountFilters, isLaterPage: boolean, now: Date): Promise<Counts> {
  const key = JSON.stringify([filters.q ?? "", filters.label ?? []]);
  const cached = recentCounts.get(key);
  if (isLaterPage && cached !== undefined && Date.now() - cached.at < COUNTS_REUSE_MS)
    return cached.counts;
  const counts = await countClients(filters, now);
  recentCounts.delete(key);
  recentCounts.set(key, { counts, at: Date.now() });
  if (recentCounts.size > MAX_CACHED_COUNTS) recentCounts.delete(recentCounts.keys().next().value!);
  return counts;
}

/** The filters counts honour: the list's search and labels (not status, which they count by). */
export interface CountFilters {
  q?: string | undefined;
  label?: LabelFilter[] | undefined;
}

/** Fleet counts by status (for the clients matching the filters), plus how many are flapping. */
export async function countClients(filters: CountFilters = {}, now = new Date()): Promise<Counts> {
  const config = presenceConfig();
  const { q, label } = filters;
  // The fleet's members (no infrastructure client) that match `q` and the labels.
  const matchesQ = (column: Sql) =>
    whereAll([
      fleetMemberSql(column),
      ...(q === undefined ? [] : [sql`${column} LIKE ${likePattern(q)}`]),
      ...(label === undefined ? [] : [labelFilterSql(column, label)]),
    ]);
  const statement = sql`WITH s AS (SELECT ${statusSql(now, config)} AS status
                  FROM client_state cs WHERE ${matchesQ(sql.raw("cs.client_id"))})
     SELECT count(*) FILTER (WHERE status = 'online')::int AS online,
            count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status = 'offline')::int AS offline,
            count(*)::int AS total,
            (SELECT count(*)::int FROM (
               SELECT c.client_id FROM connection c
                WHERE c.disconnected_at > ${now}::timestamptz - ${msInterval(config.flapWindowMs)}
                  AND ${matchesQ(sql.raw("c.client_id"))}
                GROUP BY c.client_id HAVING count(*) >= ${config.flapThreshold}::int) f) AS flapping,
            (SELECT count(DISTINCT l.client_id)::int FROM client_label l
              WHERE ${matchesQ(sql.raw("l.client_id"))}
                AND NOT EXISTS (SELECT 1 FROM client_state x WHERE x.client_id = l.client_id)) AS "neverSeen"
       FROM s`;
  const result = await db().pool.query<Counts>(statement.text, statement.values);
  return result.rows[0]!;
}

/** Conditions joined with AND; no condition is TRUE. */
export function whereAll(conditions: readonly Sql[]): Sql {
  if (conditions.length === 0) return sql.raw("TRUE");
  return sql.join(
    conditions.map((c) => sql`(${c})`),
    " AND ",
  );
}
