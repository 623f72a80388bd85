// The spool's on-disk naming and record scanning (see spool.ts for the format).
import { readSync } from "node:fs";

export const NEWLINE = 0x0a;
export const segmentName = (n: number) => `segment-${String(n).padStart(12, "0")}.log`;
export const SEGMENT_RE = /^segment-(\d{12})\.log$/;

/** Counts complete records in [from, to) of a segment; `complete` is where the last one ends. */
export function scanRecords(
  fd: number,
  from: number,
  to: number,
): { lines: number; complete: number; firstAt: number | null } {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  let complete = from;
  for (let pos = from; pos < to;) {
    const got = readSync(fd, chunk, 0, Math.min(chunk.length, to - pos), pos);
    if (got <= 0) break;
    // Records may straddle chunks: only newlines count, wherever the record began.
    for (
      let i = chunk.indexOf(NEWLINE, 0);
      i !== -1 && i < got;
      i = chunk.indexOf(NEWLINE, i + 1)
    ) {
      lines += 1;
      complete = pos + i + 1;
    }
    pos += got;
  }
  let firstAt: number | null = null;
  if (lines > 0) {
    const head = Buffer.allocUnsafe(24);
    const got = readSync(fd, head, 0, head.length, from);
    firstAt = Number(head.toString("utf8", 0, got).split(" ")[0]);
  }
  return { lines, complete, firstAt };
}
