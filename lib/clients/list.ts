import "server-only";
import { DEFAULT_SORT, defaultOrder, type Order, type Sort } from "../../contract/client-list";
import type { PresenceConfig } from "../presence/types";
import { presenceConfig, queryTimeoutMs } from "../config";
import { db } from "../db/client";
import { withReadScope } from "../db/request-reads";
import { sql, type Sql } from "../db/sql";
import {
  clientColumnsSql,
  msInterval,
  ONLINE_BOUND_SQL,
  pendingBoundSql,
  statusSql,
  toClientView,
  type ClientRow,
} from "./client-row";
import { decodeCursor, encodeCursor } from "./cursor";
import { listClientsAsOf } from "./list-as-of";
import { clientIdContainsSql, mergeById, neverSeenClients, neverSeenCountSql } from "./never-seen";
import { fleetMemberSql } from "./infrastructure";
import type { LabelFilter } from "../../contract/labels";
import { labelFilterSql } from "../labels/filter-sql";
import { countsFromLabelCounters, countsFromRollup } from "../stats/fleet-counts";
import { sharedCount } from "../stats/shared-counts";
import type { ClientPage, ClientView, Counts, ListClientsQuery } from "./schemas";

/**
 * GET /api/clients. Keyset pagination on (sort value, clientId): a page never
 * repeats or skips a client whose sort value did not change meanwhile.
 * Labelled clients never seen (status `never_seen`) are listed too: by
 * clientId among the others, and for lastChange (they have none) after every
 * seen client in descending order, before them in ascending order.
 */
export async function listClients(query: ListClientsQuery, now = new Date()): Promise<ClientPage> {
  if (query.asOf !== undefined) return listClientsAsOf(query, new Date(query.asOf));
  const config = presenceConfig();
  const sort = query.sort ?? DEFAULT_SORT;
  const order = query.order ?? defaultOrder(sort);
  const sortColumn = sortColumnSql(sort);
  const where: Sql[] = [clientsWhereSql(query, now, config)];
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort, order);
  // Never-seen clients have no last change: a lastChange cursor among them
  // (value null) is past every seen client in desc order, before them in asc.
  const inNeverSeen = cursor?.sort === "lastChange" && cursor.value === null;
  if (cursor !== undefined && !inNeverSeen) {
    const value =
      sort === "clientId"
        ? sql`${cursor.value}::text`
        : sql`${new Date(cursor.value!)}::timestamptz`;
    const cmp = sql.raw(order === "asc" ? ">" : "<");
    where.push(sql`(${sortColumn}, cs.client_id) ${cmp} (${value}, ${cursor.clientId}::text)`);
  }
  const statement = sql`SELECT ${clientColumnsSql(now, config)}
    FROM client_state cs WHERE ${whereAll(where)}
    ORDER BY ${clientOrderSql({ sort, order })} LIMIT ${query.limit + 1}`;
  const countsPromise = pageCounts(
    { q: query.q, label: query.label },
    query.cursor !== undefined,
    now,
  );
  const byLastChange = sort === "lastChange";
  const readSeen = query.status !== "never_seen" && !(inNeverSeen && order === "desc");
  const seen = readSeen
    ? (await db().pool.query<ClientRow>(statement.text, statement.values)).rows.map((r) =>
        toClientView(r, now.getTime(), config),
      )
    : [];
  const readUnseen =
    (query.status === undefined || query.status === "never_seen") &&
    query.flapping !== true &&
    query.source === undefined && // a client never seen has no source
    // By lastChange, desc: only once the seen clients ran out; asc: only before them.
    !(byLastChange && order === "desc" && seen.length > query.limit) &&
    !(byLastChange && order === "asc" && cursor !== undefined && !inNeverSeen);
  const unseen = readUnseen
    ? await neverSeenClients({
        q: query.q,
        label: query.label,
        order,
        after: cursor !== undefined && (!byLastChange || inNeverSeen) ? cursor.clientId : undefined,
        limit: query.limit + 1,
      })
    : [];
  const merged = !byLastChange
    ? mergeById(seen, unseen, order)
    : order === "desc"
      ? [...seen, ...unseen]
      : [...unseen, ...seen];
  return {
    items: merged.slice(0, query.limit),
    nextCursor: nextCursorOf(merged, query.limit, sort, order),
    counts: await countsPromise,
  };
}

/** The cursor after the page's last item, or null when nothing follows. */
export function nextCursorOf(
  merged: readonly ClientView[],
  limit: number,
  sort: Sort,
  order: Order,
): string | null {
  const last = merged[limit - 1];
  if (merged.length <= limit || last === undefined) return null;
  return sort === "clientId"
    ? encodeCursor({ sort, order, value: last.clientId, clientId: last.clientId })
    : encodeCursor({ sort, order, value: last.lastEventAt, clientId: last.clientId });
}

/** The list's filters (everything but the cursor) over client_state `cs`: the fleet's members only. */
export type ClientFilters = Pick<
  ListClientsQuery,
  "q" | "label" | "status" | "flapping" | "source"
>;

export function clientsWhereSql(query: ClientFilters, now: Date, config: PresenceConfig): Sql {
  const where: Sql[] = [fleetMemberSql(sql.raw("cs.client_id"))];
  if (query.q !== undefined) where.push(clientIdContainsSql(sql.raw("cs.client_id"), query.q));
  if (query.label !== undefined) where.push(labelFilterSql(sql.raw("cs.client_id"), query.label));
  if (query.status !== undefined) {
    where.push(sql`${statusSql(now, config)} = ${query.status}`);
    if (query.status === "pending") where.push(pendingBoundSql(now, config));
    if (query.status === "online") where.push(ONLINE_BOUND_SQL);
  }
  if (query.source !== undefined) where.push(sql`cs.source = ${query.source}`);
  if (query.flapping !== undefined) {
    // The flapping clients: few, found through the disconnected_at index, not row by row.
    const flapping = sql`cs.client_id IN (SELECT c.client_id FROM connection c
       WHERE c.disconnected_at > ${now}::timestamptz - ${msInterval(config.flapWindowMs)}
       GROUP BY c.client_id HAVING count(*) >= ${config.flapThreshold}::int)`;
    where.push(query.flapping ? flapping : sql`NOT ${flapping}`);
  }
  return whereAll(where);
}

const sortColumnSql = (sort: Sort) =>
  sql.raw(sort === "clientId" ? "cs.client_id" : "cs.last_event_at");

/** The list's order (client ID breaks ties, so pages and exports agree). */
export function clientOrderSql(query: { sort?: Sort | undefined; order?: Order | undefined }): Sql {
  const sort = query.sort ?? DEFAULT_SORT;
  const dir = sql.raw((query.order ?? defaultOrder(sort)) === "asc" ? "ASC" : "DESC");
  return sql`${sortColumnSql(sort)} ${dir}, cs.client_id ${dir}`;
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
  const unfiltered = filters.q === undefined && (filters.label ?? []).length === 0;
  const counts = unfiltered ? await liveFleetCounts() : await countClients(filters, now);
  recentCounts.delete(key);
  recentCounts.set(key, { counts, at: Date.now() });
  if (recentCounts.size > MAX_CACHED_COUNTS) recentCounts.delete(recentCounts.keys().next().value!);
  return counts;
}

/** A fleet this large has its slow counts shared and reused; a smaller one is always counted afresh. */
export const SHARED_COUNTS_MIN_FLEET = 10_000;

/**
 * The unfiltered fleet's counts for the live paths (the summary, the list's
 * first page, the stream, /metrics): one count at a time per process, shared
 * and, when counting is slow (a storm), reused within a bound
 * (lib/stats/shared-counts.ts).
 */
export function liveFleetCounts(): Promise<Counts> {
  // Its own read scope: a count shared by several requests is not cancelled
  // with the one that started it, only once none of them waits (sharedCount).
  // Its own limit is twice theirs, so a request that times out says so in its
  // own words; it bounds the stream's and /metrics' counts, which no request ends.
  globalForCounts.fleetLiveCounts ??= sharedCount(
    (signal) =>
      withReadScope(
        { what: "the fleet's live counts", timeoutMs: 2 * queryTimeoutMs(), signal },
        () => countClients(undefined),
      ),
    { reusable: (counts) => counts.total + counts.neverSeen >= SHARED_COUNTS_MIN_FLEET },
  );
  return globalForCounts.fleetLiveCounts();
}
const globalForCounts = globalThis as unknown as { fleetLiveCounts?: () => Promise<Counts> };

/** The filters counts honour: the list's search and labels (not status, which they count by). */
export interface CountFilters {
  q?: string | undefined;
  label?: LabelFilter[] | undefined;
}

/**
 * Fleet counts by status (for the clients matching the filters), plus how
 * many are flapping. The whole fleet's, and one label's, come from
 * maintained counters (lib/stats/fleet-counts.ts) when they exist (several
 * labels or a search are counted by this scan); `source: "scan"` forces this
 * scan of client_state, the reference they are tested against.
 */
export async function countClients(
  filters: CountFilters = {},
  now = new Date(),
  source: "auto" | "scan" = "auto",
): Promise<Counts> {
  const config = presenceConfig();
  const { q, label } = filters;
  if (source === "auto" && q === undefined && (label === undefined || label.length <= 1)) {
    const counted =
      label?.[0] === undefined
        ? await countsFromRollup(now, config)
        : await countsFromLabelCounters(label[0], now, config);
    if (counted !== null) return counted;
  }
  // The fleet's members (no infrastructure client) that match `q` and the labels.
  const matchesQ = (column: Sql) =>
    whereAll([
      fleetMemberSql(column),
      ...(q === undefined ? [] : [clientIdContainsSql(column, q)]),
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
            ${neverSeenCountSql({ q, label })} AS "neverSeen"
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
