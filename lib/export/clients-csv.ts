// CSV export of the fleet table: every client the list's filters match
// (q, status, flapping, labels, source), in the list's order, with its status and
// one column per label key. Each row is the list's own client object
// (toClientView), so the file says exactly what the table says.
import "server-only";
import { presenceConfig } from "../config";
import { clientColumnsSql, toClientView, type ClientRow } from "../clients/client-row";
import { DEFAULT_SORT, defaultOrder } from "../../contract/client-list";
import { clientsWhereSql } from "../clients/list";
import { neverSeenView, neverSeenWhereSql } from "../clients/never-seen";
import type { ClientView, ExportClientsQuery } from "../clients/schemas";
import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { labelsColumnSql } from "../labels/filter-sql";
import { streamCsv } from "./csv-stream";

export const CLIENT_CSV_COLUMNS = [
  "clientId",
  "status",
  "flapping",
  "since",
  "lastConnectedAt",
  "lastDisconnectedAt",
  "disconnectReason",
  "clientInitiatedDisconnect",
  "principalIdentifier",
  "ipAddress",
  "sessionIdentifier",
  "subscriptionCount",
  "lastEventAt",
] as const;

/** A label key's column: `label:site`. Keys are `[a-z0-9][a-z0-9_.-]*`, never a formula. */
export const labelColumn = (key: string) => `label:${key}`;

const text = (value: string | number | boolean | null): string | null =>
  value === null ? null : String(value);

function cells(view: ClientView, labelKeys: readonly string[]): (string | null)[] {
  return [
    ...CLIENT_CSV_COLUMNS.map((column) => text(view[column])),
    ...labelKeys.map((key) => view.labels[key] ?? null),
  ];
}

/**
 * The list's never-seen rows (labelled client IDs with no event) in the
 * export's statement: the same columns as client_state's rows, all null but
 * the ID and labels, under the filters the list applies to them.
 */
async function neverSeenBranch(query: ExportClientsQuery, seen: Sql): Promise<Sql | null> {
  if (query.status !== undefined && query.status !== "never_seen") return null;
  if (query.flapping === true || query.source !== undefined) return null;
  // The seen rows' columns and types, from the statement itself (nothing is read).
  const shape = await db().pool.query(`SELECT * FROM (${seen.text}) t LIMIT 0`, seen.values);
  const types = await db().pool.query<{ oid: number; name: string }>(
    "SELECT oid::int, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])",
    [shape.fields.map((f) => f.dataTypeID)],
  );
  const typeName = new Map(types.rows.map((t) => [t.oid, t.name]));
  const columns = shape.fields.map((f) => {
    if (f.name === "client_id") return sql`n.client_id`;
    if (f.name === "labels") return sql`${labelsColumnSql(sql.raw("n.client_id"))} AS labels`;
    if (f.name === "never_seen") return sql`true AS never_seen`;
    return sql.raw(`NULL::${typeName.get(f.dataTypeID) ?? "text"} AS "${f.name}"`);
  });
  return sql`SELECT ${sql.join(columns, ", ")}
    FROM never_seen_client n WHERE ${neverSeenWhereSql(query)}`;
}

/** GET /api/export/clients.csv: the fleet table as the list shows it, never-seen clients included. */
export async function fleetClientsCsv(
  query: ExportClientsQuery,
  operator: string,
  now = new Date(),
): Promise<ReadableStream<Uint8Array>> {
  const config = presenceConfig();
  const where = clientsWhereSql(query, now, config);
  const seen = sql`SELECT false AS never_seen, ${clientColumnsSql(now, config)}
    FROM client_state cs WHERE ${where}`;
  const unseen = await neverSeenBranch(query, seen);
  const rows = unseen === null ? seen : sql`${seen} UNION ALL ${unseen}`;
  // The label keys the listed clients carry: one column each, A to Z.
  const keysStatement = sql`SELECT DISTINCT k.key FROM (${rows}) r,
    jsonb_object_keys(r.labels) AS k(key) ORDER BY k.key`;
  const keys = (
    await db().pool.query<{ key: string }>(keysStatement.text, keysStatement.values)
  ).rows.map((r) => r.key);
  // As the list: never-seen clients (no last change) after the seen ones
  // newest first, before them oldest first; by client ID among the others.
  const sort = query.sort ?? DEFAULT_SORT;
  const order = query.order ?? defaultOrder(sort);
  const dir = sql.raw(order === "asc" ? "ASC" : "DESC");
  const nulls = sql.raw(order === "asc" ? "NULLS FIRST" : "NULLS LAST");
  const orderBy =
    sort === "clientId"
      ? sql`client_id ${dir}`
      : sql`last_event_at ${dir} ${nulls}, client_id ${dir}`;
  const statement = sql`SELECT * FROM (${rows}) r ORDER BY ${orderBy}`;
  return streamCsv<ClientRow & { never_seen: boolean }>(statement, operator, {
    columns: [...CLIENT_CSV_COLUMNS, ...keys.map(labelColumn)],
    cells: (row) =>
      cells(
        row.never_seen
          ? neverSeenView(row.client_id, row.labels)
          : toClientView(row, now.getTime(), config),
        keys,
      ),
  });
}
