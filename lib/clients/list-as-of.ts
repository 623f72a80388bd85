import "server-only";
// GET /api/clients?asOf= and GET /api/stats/summary?asOf=: the fleet as it
// stood at a past moment T (docs/model.md, "The fleet at a past moment").
// Statuses are online, offline or never_seen (no pending: that is about the
// server's receipt clock, and the past is answered with all that is known
// now). Sorted by clientId only: the last change as of T is no stored column.
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { labelFilterSql, labelsColumnSql } from "../labels/filter-sql";
import { flapsAtCount } from "../presence/status";
import type { PresenceConfig } from "../presence/types";
import type { Labels } from "../../contract/labels";
import type { Source } from "../../contract/sources";
import {
  asOfColumnsSql,
  asOfConnectionSql,
  flappingAtSql,
  neverSeenAtSql,
  onlineAtSql,
} from "./as-of-sql";
import { countsAsOfFromRollup, pastCounts } from "./as-of-rollup";
import { decodeCursor, encodeCursor } from "./cursor";
import { fleetMemberSql } from "./infrastructure";
import {
  clientIdContainsSql,
  mergeById,
  neverSeenClients,
  neverSeenCountSql,
  neverSeenView,
} from "./never-seen";
import type { ClientPage, ClientView, Counts, ListClientsQuery } from "./schemas";
import { ServiceError } from "../errors";

interface AsOfRow {
  client_id: string;
  first_event_at: Date | null;
  status: "online" | "offline" | "never_seen";
  session_identifier: string | null;
  version_number_f: number | null;
  connected_at: Date | null;
  disconnected_at: Date | null;
  disconnect_reason: string | null;
  client_initiated_disconnect: boolean | null;
  principal_identifier: string | null;
  ip_address: string | null;
  thing_name: string | null;
  source: Source;
  last_connected_at: Date | null;
  last_disconnected_at: Date | null;
  recent_disconnects: number;
  labels: Labels;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** Conditions joined with AND. */
function and(conditions: readonly Sql[]): Sql {
  return sql.join(
    conditions.map((c) => sql`(${c})`),
    " AND ",
  );
}

/**
 * The client object as of T. Connection fields describe its connection at T
 * (the one covering T, else the last begun by T); `since` is that
 * connection's start while online, the last disconnect by T while offline.
 * Subscriptions are not kept over time (only each topic's latest event), so
 * a past view lists none; labels have no history either and are today's.
 */
function toAsOfView(row: AsOfRow, config: PresenceConfig): ClientView {
  if (row.status === "never_seen") return neverSeenView(row.client_id, row.labels);
  const online = row.status === "online";
  const times = [row.first_event_at, row.last_connected_at, row.last_disconnected_at]
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  return {
    clientId: row.client_id,
    status: row.status,
    flapping: flapsAtCount(row.recent_disconnects, config),
    since: online ? iso(row.connected_at) : iso(row.last_disconnected_at),
    lastConnectedAt: iso(row.last_connected_at),
    lastDisconnectedAt: iso(row.last_disconnected_at),
    disconnectReason: online ? null : row.disconnect_reason,
    clientInitiatedDisconnect: online ? null : row.client_initiated_disconnect,
    principalIdentifier: row.principal_identifier,
    sessionIdentifier: row.session_identifier,
    versionNumber: row.version_number_f,
    ipAddress: row.ip_address,
    thingName: row.thing_name,
    subscriptions: [],
    subscriptionCount: 0,
    lastEventAt: times.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
    pendingUntil: null,
    labels: row.labels,
    source: row.source,
  };
}

export async function listClientsAsOf(query: ListClientsQuery, t: Date): Promise<ClientPage> {
  if (query.sort === "lastChange") {
    throw new ServiceError(
      "invalid_query",
      "sort: with asOf the list is sorted by clientId only (the last change as of a past moment is not stored)",
    );
  }
  const config = presenceConfig();
  const order = query.order ?? "asc";
  const id = sql.raw("cs.client_id");
  const where: Sql[] = [fleetMemberSql(id), labelFilterSql(id, query.label)];
  if (query.q !== undefined) where.push(clientIdContainsSql(id, query.q));
  if (query.source !== undefined) where.push(sql`cs.source = ${query.source}`);
  const cursor =
    query.cursor === undefined ? undefined : decodeCursor(query.cursor, "clientId", order);
  if (cursor !== undefined)
    where.push(sql`cs.client_id ${sql.raw(order === "asc" ? ">" : "<")} ${cursor.clientId}::text`);
  const outer: Sql[] = [sql.raw("TRUE")];
  if (query.status !== undefined) outer.push(sql`s.status = ${query.status}`);
  if (query.flapping !== undefined)
    outer.push(
      query.flapping
        ? sql`s.recent_disconnects >= ${config.flapThreshold}::int`
        : sql`s.recent_disconnects < ${config.flapThreshold}::int`,
    );
  const dir = sql.raw(order === "asc" ? "ASC" : "DESC");
  const statement = sql`SELECT s.*, ${labelsColumnSql(sql.raw("s.client_id"))} AS labels
    FROM (SELECT ${asOfColumnsSql(t, config)}
            FROM client_state cs ${asOfConnectionSql(t)}
           WHERE ${and(where)}) s
   WHERE ${and(outer)}
   ORDER BY s.client_id ${dir} LIMIT ${query.limit + 1}`;
  const countsPromise = countClientsAsOf({ q: query.q, label: query.label }, t);
  const seenWanted = query.status !== "pending";
  const rows = seenWanted
    ? (await db().pool.query<AsOfRow>(statement.text, statement.values)).rows
    : [];
  const seen = rows.map((r) => toAsOfView(r, config));
  const unseen =
    (query.status === undefined || query.status === "never_seen") &&
    query.flapping !== true &&
    query.source === undefined // a client never seen has no source
      ? await neverSeenClients({
          q: query.q,
          label: query.label,
          order,
          after: cursor?.clientId,
          limit: query.limit + 1,
        })
      : [];
  const merged = mergeById(seen, unseen, order);
  const last = merged[query.limit - 1];
  return {
    items: merged.slice(0, query.limit),
    nextCursor:
      merged.length > query.limit && last !== undefined
        ? encodeCursor({ sort: "clientId", order, value: last.clientId, clientId: last.clientId })
        : null,
    counts: await countsPromise,
    asOf: t.toISOString(),
  };
}

/**
 * Counts as of T: `total` the clients seen by T, `neverSeen` the labelled
 * clients never seen plus those whose first event came after T; `pending`
 * is always 0 in the past. The unfiltered fleet's come from the online
 * rollup when it can answer (lib/clients/as-of-rollup.ts), else (and with
 * `source` "scan") from this read of every client.
 */
export async function countClientsAsOf(
  filters: { q?: string | undefined; label?: ListClientsQuery["label"] },
  t: Date,
  source: "auto" | "scan" = "auto",
): Promise<Counts> {
  const config = presenceConfig();
  const unfiltered = filters.q === undefined && (filters.label ?? []).length === 0;
  if (source === "auto" && unfiltered) {
    const counts = await countsAsOfFromRollup(t, config);
    if (counts !== null) return counts;
  }
  const matches = (column: Sql) =>
    and([
      fleetMemberSql(column),
      labelFilterSql(column, filters.label),
      ...(filters.q === undefined ? [] : [clientIdContainsSql(column, filters.q)]),
    ]);
  const statement = sql`WITH f AS (
      SELECT cs.client_id, ${neverSeenAtSql(t)} AS unseen
        FROM client_state cs WHERE ${matches(sql.raw("cs.client_id"))}),
    o AS (${onlineAtSql(t)}),
    fl AS (${flappingAtSql(t, config)})
    SELECT count(*) FILTER (WHERE NOT f.unseen AND o.client_id IS NOT NULL)::int AS online,
           0 AS pending,
           count(*) FILTER (WHERE NOT f.unseen)::int AS total,
           count(*) FILTER (WHERE f.unseen)::int AS unseen,
           count(*) FILTER (WHERE NOT f.unseen AND fl.client_id IS NOT NULL)::int AS flapping,
           ${neverSeenCountSql(filters)} AS labelled
      -- Joined, not IN-tested inside count(*) FILTER: there a subquery stays a
      -- subplan, hashed only while the set fits work_mem (o and fl hold one row per client).
      FROM f LEFT JOIN o ON o.client_id = f.client_id
             LEFT JOIN fl ON fl.client_id = f.client_id`;
  const { rows } = await db().pool.query<{
    online: number;
    total: number;
    unseen: number;
    flapping: number;
    labelled: number;
  }>(statement.text, statement.values);
  const r = rows[0]!;
  return pastCounts({ ...r, neverSeen: r.unseen + r.labelled });
}
