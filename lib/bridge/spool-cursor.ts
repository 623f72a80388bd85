// The spool's cursor file: how far ingest has acknowledged, persisted in
// cursor.json as one fixed-size record with a checksum (see spool.ts).
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";

export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** cursor.json is rewritten in place with exactly this many bytes (no rename: see `write`). */
const CURSOR_BYTES = 96;
const cursorCheck = (p: SpoolPosition) => crc32(`${p.segment}:${p.offset}`);

export class CursorFile {
  private readonly file: string;
  private fd: number | null = null;

  constructor(dir: string) {
    this.file = path.join(dir, "cursor.json");
  }

  /** The persisted cursor; null if it is unreadable or fails its check. */
  load(): SpoolPosition | null {
    if (!existsSync(this.file)) return { segment: 0, offset: 0 };
    try {
      const parsed = JSON.parse(readFileSync(this.file, "utf8")) as Partial<SpoolPosition> & {
        check?: number;
      };
      const cursor = { segment: Number(parsed.segment ?? 0), offset: Number(parsed.offset ?? 0) };
      if (!Number.isSafeInteger(cursor.segment) || !Number.isSafeInteger(cursor.offset))
        return null;
      // Files written before the check existed (write + rename) have none.
      if (parsed.check !== undefined && parsed.check !== cursorCheck(cursor)) return null;
      return cursor;
    } catch {
      return null;
    }
  }

  /**
   * Persists the cursor by overwriting cursor.json in place: one pwrite(2) of
   * a fixed-size record, no rename. A rename over the old file costs a few
   * milliseconds of blocked event loop on ext4 (it flushes the new file's
   * data first), once per acknowledged batch. A bridge that dies (SIGKILL
   * included) leaves either the old or the new record; only a machine crash
   * in the middle of the write can tear it, and the check then sends
   * everything in the spool again (duplicates, which ingest absorbs).
   */
  write(cursor: SpoolPosition): void {
    this.fd ??= openSync(this.file, existsSync(this.file) ? "r+" : "w+");
    const text = JSON.stringify({ ...cursor, check: cursorCheck(cursor) });
    writeSync(this.fd, `${text.padEnd(CURSOR_BYTES - 1)}\n`, 0);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
