import { presenceConfig } from "../config";
import { db } from "../db/client";
import {
  clientColumnsSql,
  pendingBoundSql,
  statusSql,
  toClientView,
  type ClientRow,
} from "./client-row";
import { decodeCursor, encodeCursor } from "./cursor";
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
  const order = query.order ?? (query.sort === "clientId" ? "asc" : "desc");
  const sortColumn = query.sort === "clientId" ? "cs.client_id" : "cs.last_event_at";
  const params: unknown[] = [now, query.q === undefined ? null : likePattern(query.q)];
  const where = [`($2::text IS NULL OR cs.client_id LIKE $2)`];
  if (query.status !== undefined) {
    params.push(query.status);
    where.push(`${statusSql("$1::timestamptz", config)} = $${params.length}`);
    if (query.status === "pending") where.push(pendingBoundSql("$1::timestamptz", config));
  }
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor, query.sort, order);
    const cmp = order === "asc" ? ">" : "<";
    params.push(query.sort === "clientId" ? cursor.value : new Date(cursor.value), cursor.clientId);
    const valueType = query.sort === "clientId" ? "text" : "timestamptz";
    where.push(
      `(${sortColumn}, cs.client_id) ${cmp} ($${params.length - 1}::${valueType}, $${params.length}::text)`,
    );
  }
  params.push(query.limit + 1);
  const dir = order === "asc" ? "ASC" : "DESC";
  const sql = `SELECT ${clientColumnsSql("$1::timestamptz", config)}
    FROM client_state cs WHERE ${where.join(" AND ")}
    ORDER BY ${sortColumn} ${dir}, cs.client_id ${dir} LIMIT $${params.length}`;
  const [rows, counts] = await Promise.all([
    db().pool.query<ClientRow>(sql, params),
    pageCounts(query.q, query.cursor !== undefined, now),
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
async function pageCounts(q: string | undefined, isLaterPage: boolean, now: Date): Promise<Counts> {
  const key = q ?? "";
  const cached = recentCounts.get(key);
  if (isLaterPage && cached !== undefined && Date.now() - cached.at < COUNTS_REUSE_MS)
    return cached.counts;
  const counts = await countClients(q, now);
  recentCounts.delete(key);
  recentCounts.set(key, { counts, at: Date.now() });
  if (recentCounts.size > MAX_CACHED_COUNTS) recentCounts.delete(recentCounts.keys().next().value!);
  return counts;
}

/** Fleet counts by status (for the clients matching `q`), plus how many are flapping. */
export async function countClients(q: string | undefined, now = new Date()): Promise<Counts> {
  const config = presenceConfig();
  const pattern = q === undefined ? null : likePattern(q);
  const result = await db().pool.query<Counts>(
    `WITH s AS (SELECT ${statusSql("$1::timestamptz", config)} AS status
                  FROM client_state cs WHERE $2::text IS NULL OR cs.client_id LIKE $2)
     SELECT count(*) FILTER (WHERE status = 'online')::int AS online,
            count(*) FILTER (WHERE status = 'pending')::int AS pending,
            count(*) FILTER (WHERE status = 'offline')::int AS offline,
            count(*)::int AS total,
            (SELECT count(*)::int FROM (
               SELECT c.client_id FROM connection c
                WHERE c.disconnected_at > $1::timestamptz - $3 * interval '1 millisecond'
                  AND ($2::text IS NULL OR c.client_id LIKE $2)
                GROUP BY c.client_id HAVING count(*) >= $4) f) AS flapping
       FROM s`,
    [now, pattern, config.flapWindowMs, config.flapThreshold],
  );
  return result.rows[0]!;
}
