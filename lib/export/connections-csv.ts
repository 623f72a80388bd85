// CSV export of connection timelines, streamed from a server-side cursor so
// memory stays flat for millions of rows.
import "server-only";
import { stringify as stringifySync } from "csv-stringify/sync";
import type pg from "pg";
import Cursor from "pg-cursor";
import { presenceConfig } from "../config";
import { statusSql } from "../clients/client-row";
import { connectionsSql } from "../clients/connections";
import { fleetMemberSql } from "../clients/infrastructure";
import { likePattern, whereAll } from "../clients/list";
import { labelFilterSql } from "../labels/filter-sql";
import type { ExportQuery, RangeQuery } from "../clients/schemas";
import { db } from "../db/client";
import { acquireExportSlot, exportLimits } from "./limits";
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

/**
 * Spreadsheets execute cells that start with = + - @ (and tab/CR variants):
 * a leading apostrophe makes them plain text (OWASP's advice).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

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

/** Every column arrives as PostgreSQL's text: no per-cell parsing. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };
/**
 * Rows per FETCH and per chunk written (~150 KB): with the next batch fetched
 * ahead, this keeps memory flat; larger batches were slower and held more
 * memory (larger survivors per GC). The benchmark's CSV suite measures it.
 */
const BATCH_ROWS = 1_000;
/** Chunks formatted ahead of the socket. */
const QUEUED_CHUNKS = 2;

/** Why an export ended before its last row: the reader gets a cut-off download. */
class ExportAborted extends Error {}

/**
 * Streams the export's rows as CSV on a connection of the export pool, in
 * one of `operator`'s export slots (429 when none is free). The slot and the
 * connection are given back exactly once: at the end, on an error, when the
 * reader goes away, when it takes no chunk for the idle timeout, or at the
 * total time cap (lib/export/limits.ts says why each exists).
 */
function streamCsv(connections: Sql, operator: string): Promise<ReadableStream<Uint8Array>> {
  return streamCsvQuery(csvSql(connections), CSV_COLUMNS, operator);
}

/**
 * Streams any statement whose columns are already text (in `columns`' order)
 * as CSV, under the same pool, slots and limits as the connection exports.
 */
export async function streamCsvQuery(
  statement: Sql,
  columns: readonly string[],
  operator: string,
): Promise<ReadableStream<Uint8Array>> {
  const limits = exportLimits();
  const releaseSlot = acquireExportSlot(operator, limits);
  let client: pg.PoolClient;
  try {
    client = await db().exportPool.connect();
  } catch (error) {
    releaseSlot();
    throw error;
  }
  let released = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  // Without a listener, a server dying mid-export would crash the process.
  const onError = (error: Error) => release(error);
  client.on("error", onError);
  /** An error destroys the connection instead of returning it: whatever it ran is abandoned. */
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    clearTimeout(idleTimer);
    clearTimeout(deadline);
    client.off("error", onError);
    client.release(error);
    releaseSlot();
  };
  /** Ends the download early: the reader sees the response cut off, not a clean end. */
  const abort = (reason: string) => {
    const error = new ExportAborted(reason);
    release(error);
    try {
      controller?.error(error);
    } catch {
      // Already closed or errored.
    }
  };
  const deadline = setTimeout(
    () => abort(`the export ran past its ${limits.maxMs / 1000} s cap (EXPORT_MAX_SECONDS)`),
    limits.maxMs,
  );
  /** Armed whenever a chunk waits for the reader; a pull (the reader took one) disarms it. */
  const waitForReader = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () => abort("the reader took no data within EXPORT_IDLE_TIMEOUT_SECONDS"),
      limits.idleTimeoutMs,
    );
  };
  const cursor = client.query(
    new Cursor(statement.text, statement.values, { rowMode: "array", types: RAW_TEXT }),
  );
  const readBatch = () =>
    new Promise<(string | null)[][]>((resolve, reject) =>
      cursor.read(BATCH_ROWS, (error, rows) =>
        error ? reject(error) : resolve(rows as (string | null)[][]),
      ),
    );
  let header = true;
  // The next batch is requested before this one is formatted: PostgreSQL
  // produces rows while Node quotes the previous ones (two cores, both busy).
  const prefetch = () => {
    const batch = readBatch();
    batch.catch(() => {}); // awaited by pull(); this only keeps an early failure from being "unhandled"
    return batch;
  };
  let next: Promise<(string | null)[][]> | null = prefetch();
  const encoder = new TextEncoder();
  // A pull source: the response asks for the next chunk only when it has
  // sent the previous ones (at most QUEUED_CHUNKS wait), so a slow download
  // holds the cursor instead of buffering the export in memory.
  // (Readable.toWeb counts its 16 KiB high-water mark in chunks, not bytes.)
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      async pull(c) {
        clearTimeout(idleTimer);
        if (released) return;
        try {
          const rows = next === null ? [] : await next;
          if (released) return;
          next = rows.length === BATCH_ROWS ? prefetch() : null;
          if (rows.length === 0 && !header) {
            await new Promise<void>((resolve) => cursor.close(() => resolve()));
            release();
            c.close();
            return;
          }
          for (const row of rows) {
            for (let i = 0; i < row.length; i += 1) {
              const cell = row[i];
              row[i] = cell === null || cell === undefined ? "" : neutraliseFormula(cell);
            }
          }
          // Quoted by csv-stringify (RFC 4180).
          const text = stringifySync(rows, {
            header,
            columns: header ? [...columns] : undefined,
            record_delimiter: "\r\n",
          });
          header = false;
          c.enqueue(encoder.encode(text));
          waitForReader();
        } catch (error) {
          next = null;
          release(error as Error);
          if (!(error instanceof ExportAborted)) c.error(error);
        }
      },
      cancel() {
        // The browser went away: close the cursor (after a read in flight) and free the connection.
        const pending = next;
        next = null;
        clearTimeout(idleTimer);
        void (pending ?? Promise.resolve()).then(
          () => cursor.close(() => release()),
          () => release(),
        );
      },
    },
    { highWaterMark: QUEUED_CHUNKS },
  );
}

/** GET /api/clients/{clientId}/connections.csv */
export function clientConnectionsCsv(clientId: string, range: RangeQuery, operator: string) {
  return streamCsv(connectionsSql(range, sql`c.client_id = ${clientId}`), operator);
}

/** GET /api/export/connections.csv: every client matching q/status/labels. */
export function fleetConnectionsCsv(query: ExportQuery, operator: string, now = new Date()) {
  // The fleet's timelines: infrastructure clients (the bridge) are not part of it.
  const filter: Sql[] = [fleetMemberSql(sql.raw("c.client_id"))];
  if (query.q !== undefined) filter.push(sql`c.client_id LIKE ${likePattern(query.q)}`);
  if (query.label !== undefined) filter.push(labelFilterSql(sql.raw("c.client_id"), query.label));
  if (query.status !== undefined)
    filter.push(sql`${statusSql(now, presenceConfig())} = ${query.status}`);
  return streamCsv(connectionsSql(query, whereAll(filter)), operator);
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
