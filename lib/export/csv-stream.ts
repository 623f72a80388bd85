// Streams a query's rows as an RFC 4180 CSV download from a server-side
// cursor, so memory stays flat for millions of rows, within the export
// limits (lib/export/limits.ts): its own pool, slots, idle and total caps.
import "server-only";
import type pg from "pg";
import Cursor from "pg-cursor";
import { sendCancelRequest } from "../db/cancel";
import { db } from "../db/client";
import type { Sql } from "../db/sql";
import { csvText } from "./csv-text";
import { acquireExportSlot, exportLimits } from "./limits";

/**
 * Spreadsheets execute cells that start with = + - @ (and tab/CR variants):
 * a leading apostrophe makes them plain text (OWASP's advice).
 */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** What a CSV export's rows look like and how each becomes its cells. */
export interface CsvFormat<Row> {
  /** The header row. */
  columns: readonly string[];
  /** A row as its cells, in the header's order; null is an empty cell. */
  cells: (row: Row) => (string | null | undefined)[];
  rowMode?: "array";
  /** Type parsers for the cursor (default: pg's). */
  types?: pg.CustomTypesConfig;
}

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
export async function streamCsv<Row>(
  statement: Sql,
  operator: string,
  format: CsvFormat<Row>,
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
  let fetching = false;
  /**
   * A FETCH still running when the export ends early is cancelled in
   * PostgreSQL, not waited for: a cursor over a sort or a lock can take
   * minutes to its next rows, and a closed socket does not stop it. The
   * connection is then closed (a cancel landing late would hit its next user).
   */
  const stopFetch = (): boolean => {
    if (fetching) void sendCancelRequest(client);
    return fetching;
  };
  /** Ends the download early: the reader sees the response cut off, not a clean end. */
  const abort = (reason: string) => {
    const error = new ExportAborted(reason);
    stopFetch();
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
    new Cursor(statement.text, statement.values, {
      ...(format.rowMode ? { rowMode: format.rowMode } : {}),
      ...(format.types ? { types: format.types } : {}),
    }),
  );
  const readBatch = () => {
    fetching = true;
    return new Promise<Row[]>((resolve, reject) =>
      cursor.read(BATCH_ROWS, (error, rows) => {
        fetching = false;
        if (error) reject(error);
        else resolve(rows as Row[]);
      }),
    );
  };
  let header = true;
  // The next batch is requested before this one is formatted: PostgreSQL
  // produces rows while Node quotes the previous ones (two cores, both busy).
  const prefetch = () => {
    const batch = readBatch();
    batch.catch(() => {}); // awaited by pull(); this only keeps an early failure from being "unhandled"
    return batch;
  };
  let next: Promise<Row[]> | null = prefetch();
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
          const records = rows.map((row) =>
            format
              .cells(row)
              .map((cell) => (cell === null || cell === undefined ? "" : neutraliseFormula(cell))),
          );
          // RFC 4180, the header row first.
          const text = csvText(header ? [format.columns, ...records] : records);
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
        // The browser went away: close the cursor (after a read in flight,
        // cancelled if it is still running) and free the connection.
        const pending = next;
        next = null;
        clearTimeout(idleTimer);
        const stopped = stopFetch() ? new ExportAborted("the reader went away") : undefined;
        void (pending ?? Promise.resolve()).then(
          () => (stopped ? release(stopped) : cursor.close(() => release())),
          () => release(stopped),
        );
      },
    },
    { highWaterMark: QUEUED_CHUNKS },
  );
}
