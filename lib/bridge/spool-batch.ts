// A batch read from the spool: the records' envelope bytes copied into one
// POST /api/ingest body, `[` + the envelopes joined by `,` + `]`, with no
// parsing of the JSON (see spool.ts for the record format).
import type { SpoolPosition } from "./spool-cursor";

export interface SpoolBatch {
  end: SpoolPosition;
  /** How many events. */
  count: number;
  /** The POST /api/ingest body: `[` + the envelopes joined by `,` + `]`, copied from the records' bytes. */
  body: Buffer;
  /** The envelope JSON texts, in spool order (decoded from `body` on demand: only splits and logs need them). */
  envelopes(): string[];
  firstReceivedAt: number;
  lastReceivedAt: number;
}

/** The envelopes of a batch body (ranges of `body` between the separators found while reading). */
function envelopesOf(body: Buffer, starts: number[]): string[] {
  return starts.map((start, i) =>
    body.toString("utf8", start, i + 1 < starts.length ? starts[i + 1]! - 1 : body.length - 1),
  );
}

/** Collects envelope byte ranges of read buffers, then copies them into one body. */
export class BatchBody {
  private readonly parts: { buf: Buffer; start: number; end: number }[] = [];
  private bodyBytes = 1;
  firstReceivedAt = 0;
  lastReceivedAt = 0;

  get count(): number {
    return this.parts.length;
  }

  /** Adds `buf[start, end)`, an envelope received at `receivedAt`. */
  add(buf: Buffer, start: number, end: number, receivedAt: number): void {
    if (this.parts.length === 0) this.firstReceivedAt = receivedAt;
    this.lastReceivedAt = receivedAt;
    this.parts.push({ buf, start, end });
    this.bodyBytes += end - start + 1;
  }

  build(end: SpoolPosition): SpoolBatch {
    const body = Buffer.allocUnsafe(this.bodyBytes);
    const starts: number[] = [];
    let at = 0;
    for (const p of this.parts) {
      body[at++] = starts.length === 0 ? 0x5b : 0x2c; // "[" then ","
      starts.push(at);
      at += p.buf.copy(body, at, p.start, p.end);
    }
    body[at] = 0x5d; // "]"
    return {
      end,
      count: this.parts.length,
      body,
      envelopes: () => envelopesOf(body, starts),
      firstReceivedAt: this.firstReceivedAt,
      lastReceivedAt: this.lastReceivedAt,
    };
  }
}
