// COPY ... FROM STDIN over node-postgres, without another dependency: a
// Submittable that speaks the copy-in sub-protocol (CopyData/CopyDone), with
// backpressure on the socket so millions of rows never sit in memory at once.
import { once } from "node:events";
import type pg from "pg";

/** The copy-in messages node-postgres's Connection has but does not declare. */
interface CopyConnection extends pg.Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/**
 * A COPY statement as a Submittable: sends it, remembers an error, and
 * settles `done` once the server is ready for the next query (with the
 * subclass's result, or the error).
 */
abstract class CopyCommand<T> implements pg.Submittable {
  private error: Error | undefined;
  private settle: ((error?: Error) => void) | undefined;
  readonly done: Promise<T>;

  constructor(private readonly sql: string) {
    this.done = new Promise<T>((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve(this.result()));
    });
  }

  protected abstract result(): T;

  submit(connection: pg.Connection): void {
    connection.query(this.sql);
  }

  handleError(error: Error): void {
    this.error = error;
  }

  handleReadyForQuery(): void {
    this.settle?.(this.error);
  }
}

class CopyFrom extends CopyCommand<number> {
  rowCount = 0;

  constructor(
    sql: string,
    private readonly chunks: AsyncIterable<string> | Iterable<string>,
  ) {
    super(sql);
  }

  protected result(): number {
    return this.rowCount;
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: CopyConnection): Promise<void> {
    try {
      const socket = connection.stream;
      for await (const chunk of this.chunks) {
        connection.sendCopyFromChunk(Buffer.from(chunk));
        if (socket.writableNeedDrain) await once(socket, "drain");
        // Let other COPYs of this process generate their chunks too, drain or not.
        else await new Promise((resolve) => setImmediate(resolve));
      }
      connection.endCopyFrom();
    } catch (error) {
      connection.sendCopyFail((error as Error).message);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const count = /COPY (\d+)/.exec(message.text ?? "")?.[1];
    if (count !== undefined) this.rowCount = Number(count);
  }
}

/**
 * Runs `COPY <table> (...) FROM STDIN` with text-format chunks (rows ending in
 * a newline); resolves with the number of rows copied.
 */
export function copyFrom(
  client: pg.ClientBase,
  sql: string,
  chunks: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  const copy = new CopyFrom(sql, chunks);
  client.query(copy);
  return copy.done;
}

/** One value in COPY's text format: \N for null, backslash escapes for the rest. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  return value.replace(/[\\\n\r\t]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t",
  );
}

export function copyRow(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(copyValue).join("\t")}\n`;
}

/** Groups rows into chunks of about 256 KiB, the unit written to the socket. */
export function* chunked(rows: Iterable<string>, bytes = 256 * 1024): Generator<string> {
  let buffer: string[] = [];
  let size = 0;
  for (const row of rows) {
    buffer.push(row);
    size += row.length;
    if (size >= bytes) {
      yield buffer.join("");
      buffer = [];
      size = 0;
    }
  }
  if (buffer.length > 0) yield buffer.join("");
}

class CopyTo extends CopyCommand<{ bytes: number; rows: number }> {
  bytes = 0;
  rows = 0;

  protected result(): { bytes: number; rows: number } {
    return { bytes: this.bytes, rows: this.rows };
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // Each CopyData message is one row.
    this.bytes += message.chunk.length;
    this.rows += 1;
  }

  handleCommandComplete(): void {}
}

/** Runs `COPY (...) TO STDOUT` and counts what comes back (the data itself is dropped). */
export function copyTo(
  client: pg.ClientBase,
  sql: string,
): Promise<{ bytes: number; rows: number }> {
  const copy = new CopyTo(sql);
  client.query(copy);
  return copy.done;
}
