// CSV export of connection timelines, streamed from a server-side cursor so
// memory stays flat for millions of rows.
import { Readable, Transform } from "node:stream";
import { stringify } from "csv-stringify";
import QueryStream from "pg-query-stream";
import { presenceConfig } from "../config";
import { statusSql } from "../clients/client-row";
import {
  connectionsSql,
  rangeParams,
  toConnectionView,
  toTimelineConnection,
  type ConnectionRow,
} from "../clients/connections";
import { likePattern } from "../clients/list";
import type { ExportQuery, RangeQuery } from "../clients/schemas";
import { db } from "../db/client";

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

/**
 * Spreadsheets execute cells that start with = + - @ (and tab/CR variants):
 * a leading apostrophe makes them plain text (OWASP's advice).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function csvRecord(row: ConnectionRow): string[] {
  const v = toConnectionView(toTimelineConnection(row));
  const cells = [
    row.client_id,
    v.sessionIdentifier,
    String(v.versionNumber),
    v.connectedAt ?? "",
    v.disconnectedAt ?? "",
    v.durationSeconds === null ? "" : String(v.durationSeconds),
    v.disconnectReason ?? "",
    v.clientInitiatedDisconnect === null ? "" : String(v.clientInitiatedDisconnect),
    v.principalIdentifier ?? "",
    v.ipAddress ?? "",
  ];
  return cells.map(neutraliseFormula);
}

async function streamCsv(sql: string, params: unknown[]): Promise<ReadableStream<Uint8Array>> {
  const client = await db().pool.connect();
  let released = false;
  // Without a listener, a server dying mid-export would crash the process.
  const onError = (error: Error) => release(error);
  client.on("error", onError);
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.off("error", onError);
    client.release(error);
  };
  const rows = client.query(new QueryStream(sql, params, { batchSize: 1000 }));
  const toRecord = new Transform({
    objectMode: true,
    transform(row: ConnectionRow, _enc, done) {
      done(null, csvRecord(row));
    },
  });
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: "\r\n" });
  rows.on("error", (e: Error) => {
    release(e);
    csv.destroy(e);
  });
  rows.on("end", () => release());
  csv.on("close", () => {
    // The browser went away: stop reading the cursor and free the connection.
    rows.destroy();
    release();
  });
  rows.pipe(toRecord).pipe(csv);
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}

/** GET /api/clients/{clientId}/connections.csv */
export function clientConnectionsCsv(clientId: string, range: RangeQuery) {
  return streamCsv(connectionsSql("c.client_id = $3"), [...rangeParams(range), clientId]);
}

/** GET /api/export/connections.csv: every client matching q/status. */
export function fleetConnectionsCsv(query: ExportQuery, now = new Date()) {
  const params: unknown[] = [...rangeParams(query), now, query.q === undefined ? null : likePattern(query.q)];
  let filter = "($4::text IS NULL OR c.client_id LIKE $4) AND $3::timestamptz IS NOT NULL";
  if (query.status !== undefined) {
    params.push(query.status);
    filter += ` AND ${statusSql("$3::timestamptz", presenceConfig())} = $5`;
  }
  return streamCsv(connectionsSql(filter), params);
}

/** A file name that says what and when: fleet-connections-2026-11-26.csv */
export function csvFileName(subject: string, now = new Date()): string {
  const safe = subject.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "client";
  return `${safe}-connections-${now.toISOString().slice(0, 10)}.csv`;
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
