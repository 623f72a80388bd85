// CSV export of connection timelines, streamed from a server-side cursor so
// memory stays flat for millions of rows.
import "server-only";
import type pg from "pg";
import { presenceConfig } from "../config";
import { statusSql } from "../clients/client-row";
import { connectionsSql } from "../clients/connections";
import { fleetMemberSql } from "../clients/infrastructure";
import { whereAll } from "../clients/list";
import { clientIdContainsSql } from "../clients/never-seen";
import { labelFilterSql } from "../labels/filter-sql";
import type { ExportQuery, RangeQuery } from "../clients/schemas";
import { neutraliseFormula, streamCsv } from "./csv-stream";
import { sql, type Sql } from "../db/sql";

export const CSV_COLUMNS = [
  "clientId",
  "sessionIdentifier",
  "versionNumber",
  "connectedAt",
  "disconnectedAt",
  "durationSeconds",
  "disconnectReason",
  "clientInitiatedDisconnect",
  "principalIdentifier",
  "ipAddress",
] as const;

/** Re-exported for the tests that check neutralised cells. */
export { neutraliseFormula };

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${ISO_MS})`;

/**
 * The export's cells, formatted by PostgreSQL: building Dates and objects
 * per row in JavaScript cost several times the query itself at a million
 * rows. The end is connectionsSql's ended_at (withEnd in SQL); text equals
 * toConnectionView's.
 */
function csvSql(query: Sql): Sql {
  return sql`SELECT t.client_id, t.session_identifier, t.version_number::bigint::text,
      ${sql.raw(isoText("t.connected_at"))}, ${sql.raw(isoText("t.ended_at"))},
      date_part('epoch', t.ended_at - t.connected_at)::text,
      t.disconnect_reason, t.client_initiated_disconnect::text, t.principal_identifier, t.ip_address
    FROM (${query}) t`;
}

/** Every column arrives as PostgreSQL's text (csvSql formats them): no per-cell parsing. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as pg.CustomTypesConfig;

/**
 * Streams any statement whose columns are already text (in `columns`' order)
 * as CSV, under the same pool, slots and limits as the connection exports.
 */
export function streamCsvQuery(statement: Sql, columns: readonly string[], operator: string) {
  return streamCsv<(string | null)[]>(statement, operator, {
    columns,
    rowMode: "array",
    types: RAW_TEXT,
    cells: (row) => row,
  });
}

function streamConnections(connections: Sql, operator: string) {
  return streamCsvQuery(csvSql(connections), CSV_COLUMNS, operator);
}

/** GET /api/clients/{clientId}/connections.csv */
export function clientConnectionsCsv(clientId: string, range: RangeQuery, operator: string) {
  return streamConnections(connectionsSql(range, sql`c.client_id = ${clientId}`), operator);
}

/** GET /api/export/connections.csv: every client matching q/status/labels. */
export function fleetConnectionsCsv(query: ExportQuery, operator: string, now = new Date()) {
  // The fleet's timelines: infrastructure clients (the bridge) are not part of it.
  const filter: Sql[] = [fleetMemberSql(sql.raw("c.client_id"))];
  if (query.q !== undefined) filter.push(clientIdContainsSql(sql.raw("c.client_id"), query.q));
  if (query.label !== undefined) filter.push(labelFilterSql(sql.raw("c.client_id"), query.label));
  if (query.status !== undefined)
    filter.push(sql`${statusSql(now, presenceConfig())} = ${query.status}`);
  return streamConnections(connectionsSql(query, whereAll(filter)), operator);
}

/** A file name that says what and when: fleet-connections-2026-11-26.csv */
export function csvFileName(subject: string, now = new Date(), what = "connections"): string {
  const safe = subject.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "client";
  return `${safe}-${what}-${now.toISOString().slice(0, 10)}.csv`;
}

export function csvResponse(body: ReadableStream<Uint8Array>, fileName: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
