// CSV export of the fleet table: every client the list's filters match
// (q, status, flapping, labels), in the list's order, with its status and
// one column per label key. Each row is the list's own client object
// (toClientView), so the file says exactly what the table says.
import "server-only";
import { presenceConfig } from "../config";
import { clientColumnsSql, toClientView, type ClientRow } from "../clients/client-row";
import { clientOrderSql, clientsWhereSql } from "../clients/list";
import type { ClientView, ExportClientsQuery } from "../clients/schemas";
import { db } from "../db/client";
import { sql } from "../db/sql";
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

/** GET /api/export/clients.csv */
export async function fleetClientsCsv(
  query: ExportClientsQuery,
  operator: string,
  now = new Date(),
): Promise<ReadableStream<Uint8Array>> {
  const config = presenceConfig();
  const where = clientsWhereSql(query, now, config);
  // The label keys the matching clients carry: one column each, A to Z.
  const keysStatement = sql`SELECT DISTINCT l.key FROM client_label l
    JOIN client_state cs ON cs.client_id = l.client_id WHERE ${where} ORDER BY l.key`;
  const keys = (
    await db().pool.query<{ key: string }>(keysStatement.text, keysStatement.values)
  ).rows.map((r) => r.key);
  const statement = sql`SELECT ${clientColumnsSql(now, config)}
    FROM client_state cs WHERE ${where} ORDER BY ${clientOrderSql(query)}`;
  return streamCsv<ClientRow>(statement, operator, {
    columns: [...CLIENT_CSV_COLUMNS, ...keys.map(labelColumn)],
    cells: (row) => cells(toClientView(row, now.getTime(), config), keys),
  });
}
