import "server-only";
// Client IDs that carry labels but never sent an event (an inventory loaded
// before the devices came online): listed with status `never_seen`. They are
// read from never_seen_client, a superset of them kept by triggers (see its
// migration, 20261206100000_never_seen_client): each candidate is checked
// here, so a read costs the candidates, not every label in the fleet.
import { compareClientIds, type Order } from "../../contract/client-list";
import type { Labels } from "../../contract/labels";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { labelFilterSql, labelsColumnSql } from "../labels/filter-sql";
import { fleetMemberSql } from "./infrastructure";
import type { ClientView } from "./schemas";

export interface NeverSeenQuery extends NeverSeenFilters {
  order: Order;
  /** Keyset: only IDs after this one in `order`. */
  after?: string | undefined;
  limit: number;
}

/** `q` is a plain substring: LIKE's wildcards in it are escaped. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The search `q` over a client ID column: every fleet read filters by it
 * here, in this one form, which the client_state trigram index answers
 * (lib/clients/search-plan.test.ts).
 */
export function clientIdContainsSql(column: Sql, q: string): Sql {
  return sql`${column} LIKE ${likePattern(q)}`;
}

/** The filters never-seen reads honour (the list's search and labels). */
export interface NeverSeenFilters {
  q?: string | undefined;
  label?: { key: string; value: string }[] | undefined;
}

/**
 * The conditions on a never_seen_client row `n` for a never-seen fleet member
 * matching `filters`: the candidate still has a label and still no
 * client_state row (the table may hold stale candidates), is no
 * infrastructure client, and matches `q` and every label filter.
 */
export function neverSeenWhereSql(filters: NeverSeenFilters = {}): Sql {
  const id = sql.raw("n.client_id");
  const where: Sql[] = [
    fleetMemberSql(id),
    // Scalar subqueries, not (NOT) EXISTS: they stay index probes per
    // candidate. The planner cannot know the candidates are mostly unseen
    // and would turn NOT EXISTS into a hash anti-join over all of client_state.
    sql`(SELECT true FROM client_state x WHERE x.client_id = n.client_id) IS NULL`,
    sql`(SELECT true FROM client_label y WHERE y.client_id = n.client_id LIMIT 1) IS NOT NULL`,
    labelFilterSql(id, filters.label),
  ];
  if (filters.q !== undefined) where.push(clientIdContainsSql(id, filters.q));
  return andSql(where);
}

/** How many never-seen fleet members match `filters`: a scalar subquery. */
export function neverSeenCountSql(filters: NeverSeenFilters = {}): Sql {
  return sql`(SELECT count(*)::int FROM never_seen_client n WHERE ${neverSeenWhereSql(filters)})`;
}

const andSql = (conditions: readonly Sql[]): Sql =>
  sql.join(
    conditions.map((c) => sql`(${c})`),
    " AND ",
  );

/** Labelled client IDs with no client_state row, matching the filters, in client ID order. */
export async function neverSeenClients(query: NeverSeenQuery): Promise<ClientView[]> {
  const where = [neverSeenWhereSql(query)];
  if (query.after !== undefined)
    where.push(sql`n.client_id ${sql.raw(query.order === "asc" ? ">" : "<")} ${query.after}::text`);
  const dir = sql.raw(query.order === "asc" ? "ASC" : "DESC");
  const statement = sql`SELECT n.client_id, ${labelsColumnSql(sql.raw("n.client_id"))} AS labels
    FROM (SELECT n.client_id FROM never_seen_client n WHERE ${andSql(where)}
           ORDER BY n.client_id ${dir} LIMIT ${query.limit}) n
    ORDER BY n.client_id ${dir}`;
  const { rows } = await db().pool.query<{ client_id: string; labels: Labels }>(
    statement.text,
    statement.values,
  );
  return rows.map((r) => neverSeenView(r.client_id, r.labels));
}

/** The client object of a client ID that has labels and no event (at the moment asked about). */
export function neverSeenView(clientId: string, labels: Labels): ClientView {
  return {
    clientId,
    status: "never_seen",
    flapping: false,
    since: null,
    lastConnectedAt: null,
    lastDisconnectedAt: null,
    disconnectReason: null,
    clientInitiatedDisconnect: null,
    principalIdentifier: null,
    sessionIdentifier: null,
    versionNumber: null,
    ipAddress: null,
    thingName: null,
    subscriptions: [],
    subscriptionCount: 0,
    lastEventAt: null,
    pendingUntil: null,
    labels,
    source: null,
  };
}

/** Two client-ID-ordered lists as one, in `order`. */
export function mergeById(a: ClientView[], b: ClientView[], order: Order): ClientView[] {
  const sign = order === "asc" ? 1 : -1;
  const out: ClientView[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (
      y === undefined ||
      (x !== undefined && sign * compareClientIds(x.clientId, y.clientId) < 0)
    ) {
      out.push(x!);
      i += 1;
    } else {
      out.push(y);
      j += 1;
    }
  }
  return out;
}
