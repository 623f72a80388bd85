import "server-only";
// Client IDs that carry labels but never sent an event (an inventory loaded
// before the devices came online): listed with status `never_seen`.
import { compareClientIds, type Order } from "../../contract/client-list";
import type { Labels } from "../../contract/labels";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { labelFilterSql, labelsColumnSql } from "../labels/filter-sql";
import { fleetMemberSql } from "./infrastructure";
import type { ClientView } from "./schemas";

export interface NeverSeenQuery {
  q?: string | undefined;
  label?: { key: string; value: string }[] | undefined;
  order: Order;
  /** Keyset: only IDs after this one in `order`. */
  after?: string | undefined;
  limit: number;
}

/** `q` is a plain substring: LIKE's wildcards in it are escaped. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Labelled client IDs with no client_state row, matching the filters, in client ID order. */
export async function neverSeenClients(query: NeverSeenQuery): Promise<ClientView[]> {
  const id = sql.raw("l.client_id");
  const where: Sql[] = [
    fleetMemberSql(id),
    sql`NOT EXISTS (SELECT 1 FROM client_state x WHERE x.client_id = l.client_id)`,
    labelFilterSql(id, query.label),
  ];
  if (query.q !== undefined) where.push(sql`l.client_id LIKE ${likePattern(query.q)}`);
  if (query.after !== undefined)
    where.push(sql`l.client_id ${sql.raw(query.order === "asc" ? ">" : "<")} ${query.after}::text`);
  const dir = sql.raw(query.order === "asc" ? "ASC" : "DESC");
  const statement = sql`SELECT n.client_id, ${labelsColumnSql(sql.raw("n.client_id"))} AS labels
    FROM (SELECT DISTINCT l.client_id FROM client_label l
           WHERE ${sql.join(
             where.map((c) => sql`(${c})`),
             " AND ",
           )}
           ORDER BY l.client_id ${dir} LIMIT ${query.limit}) n
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
