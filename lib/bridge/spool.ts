// The bridge's crash-safe local spool: an append-only log of envelopes split
// into segment files, plus a persisted cursor saying how far the ingest
// endpoint has acknowledged. An event is appended (and so survives a crash of
// the bridge) before its PUBACK goes to the broker; it leaves the spool only
// when ingest answered 2xx for it. After a crash everything past the cursor is
// sent again: duplicates, which ingest absorbs, never losses.
//
// Record format, one per line: `<receivedAtMs> <envelope JSON>\n`. The
// envelope is exactly what POST /api/ingest takes, so a batch body is the
// records' JSON joined with commas, with no parsing on the hot path.
import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { NEWLINE, scanRecords, SEGMENT_RE, segmentName } from "./spool-records";

export type FsyncMode = "always" | "interval" | "off";

export interface SpoolOptions {
  dir: string;
  /** Upper bound on unacknowledged bytes on disk; past it the bridge stops acking. */
  maxBytes?: number;
  segmentBytes?: number;
  /**
   * `off`: records reach the OS page cache before the PUBACK, which survives a
   * crash or SIGKILL of the bridge but not of the machine. `interval`: the same,
   * plus an fdatasync every `fsyncIntervalMs` bounding what a power loss can
   * take. `always`: fdatasync before every PUBACK (slow, strict).
   */
  fsync?: FsyncMode;
  fsyncIntervalMs?: number;
}

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolBatch {
  end: SpoolPosition;
  /** Envelope JSON texts, in spool order. */
  envelopes: string[];
  firstReceivedAt: number;
  lastReceivedAt: number;
}

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsyncMode: FsyncMode;
  /** Sizes of the segment files on disk, oldest first; the last one takes appends. */
  private readonly segments: { n: number; size: number }[] = [];
  private appendFd: number;
  private cursor: SpoolPosition;
  private read: SpoolPosition;
  private readFd: { n: number; fd: number } | null = null;
  private appended = 0;
  private readCount = 0;
  private committed = 0;
  private unreadSince: number | null = null;
  private dirty = false;
  private fsyncTimer: NodeJS.Timeout | null = null;
  private roomWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: SpoolOptions) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes ?? 1024 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.fsyncMode = options.fsync ?? "interval";
    mkdirSync(this.dir, { recursive: true });
    this.cursor = this.loadCursor();
    for (const name of readdirSync(this.dir)) {
      const match = SEGMENT_RE.exec(name);
      if (!match) continue;
      const n = Number(match[1]);
      // Wholly acknowledged segments a crash left behind.
      if (n < this.cursor.segment) unlinkSync(path.join(this.dir, name));
      else this.segments.push({ n, size: 0 });
    }
    this.segments.sort((a, b) => a.n - b.n);
    if (this.segments.length === 0 || this.segments[0]!.n !== this.cursor.segment) {
      // The cursor's segment is gone (fresh spool, or deleted by hand): start at the oldest left.
      this.cursor = { segment: this.segments[0]?.n ?? this.cursor.segment, offset: 0 };
    }
    if (this.segments.length === 0) this.segments.push({ n: this.cursor.segment, size: 0 });
    const last = this.segments[this.segments.length - 1]!;
    this.appendFd = openSync(this.segmentPath(last.n), "a+");
    this.recover();
    this.read = { ...this.cursor };
    if (this.fsyncMode === "interval") {
      this.fsyncTimer = setInterval(() => this.syncSoon(), options.fsyncIntervalMs ?? 1000);
      this.fsyncTimer.unref();
    }
  }

  private segmentPath(n: number): string {
    return path.join(this.dir, segmentName(n));
  }

  private loadCursor(): SpoolPosition {
    const file = path.join(this.dir, "cursor.json");
    if (!existsSync(file)) return { segment: 0, offset: 0 };
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<SpoolPosition>;
    return { segment: Number(parsed.segment ?? 0), offset: Number(parsed.offset ?? 0) };
  }

  /** Sizes the segments, cuts a torn last record, counts what is still pending. */
  private recover(): void {
    for (const seg of this.segments) {
      const fd =
        seg === this.segments[this.segments.length - 1]
          ? this.appendFd
          : openSync(this.segmentPath(seg.n), "r");
      seg.size = fstatSync(fd).size;
      const from = seg.n === this.cursor.segment ? Math.min(this.cursor.offset, seg.size) : 0;
      const { lines, complete, firstAt } = scanRecords(fd, from, seg.size);
      if (complete < seg.size) {
        // Only a machine crash mid-write leaves a partial line: it was never acknowledged.
        ftruncateSync(fd, complete);
        seg.size = complete;
      }
      if (fd !== this.appendFd) closeSync(fd);
      this.appended += lines;
      if (firstAt !== null && this.unreadSince === null) this.unreadSince = firstAt;
    }
    if (this.cursor.offset > (this.segments[0]?.size ?? 0))
      this.cursor.offset = this.segments[0]?.size ?? 0;
  }

  /** Bytes on disk not yet acknowledged by ingest. */
  get bytes(): number {
    let total = 0;
    for (const seg of this.segments) total += seg.size;
    return total - this.cursor.offset;
  }

  /** Events spooled and not yet acknowledged by ingest. */
  get pending(): number {
    return this.appended - this.committed;
  }

  /** Events spooled and not yet handed to the forwarder. */
  get unread(): number {
    return this.appended - this.readCount;
  }

  /** When the oldest unread event was received (a lower bound once a backlog exists). */
  get oldestUnreadAt(): number | null {
    return this.unread > 0 ? this.unreadSince : null;
  }

  hasRoom(recordBytes: number): boolean {
    return this.bytes + recordBytes <= this.maxBytes || this.pending === 0;
  }

  /** Resolves once acknowledged records free space (the caller holds its PUBACK meanwhile). */
  waitForRoom(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Appends one envelope durably enough to acknowledge it (see `fsync`). */
  append(receivedAt: number, envelopeJson: string): void {
    if (this.closed) throw new Error("spool is closed");
    const record = `${receivedAt} ${envelopeJson}\n`;
    const length = Buffer.byteLength(record);
    let last = this.segments[this.segments.length - 1]!;
    if (last.size > 0 && last.size + length > this.segmentBytes) {
      this.syncNow();
      closeSync(this.appendFd);
      last = { n: last.n + 1, size: 0 };
      this.segments.push(last);
      this.appendFd = openSync(this.segmentPath(last.n), "a+");
    }
    // One write(2) of the string: the syscall is most of the cost of an event here.
    const written = writeSync(this.appendFd, record);
    if (written < length) {
      const bytes = Buffer.from(record);
      for (let at = written; at < length;) at += writeSync(this.appendFd, bytes, at);
    }
    last.size += length;
    this.appended += 1;
    if (this.unread === 1) this.unreadSince = receivedAt;
    this.dirty = true;
    if (this.fsyncMode === "always") this.syncNow();
  }

  /** Takes the next records for sending; they stay on disk until `commit`. */
  readBatch(maxEvents: number, maxBytes: number): SpoolBatch | null {
    if (this.unread === 0) return null;
    const envelopes: string[] = [];
    let firstReceivedAt = 0;
    let lastReceivedAt = 0;
    let bytes = 0;
    while (envelopes.length < maxEvents && bytes < maxBytes && this.unread > 0) {
      const seg = this.segments.find((s) => s.n === this.read.segment);
      if (!seg) throw new Error(`spool segment ${this.read.segment} is missing`);
      if (this.read.offset >= seg.size) {
        const next = this.segments.find((s) => s.n > seg.n);
        if (!next) break;
        this.read = { segment: next.n, offset: 0 };
        continue;
      }
      const fd = this.readFdFor(seg.n);
      const want = Math.min(seg.size - this.read.offset, Math.max(maxBytes - bytes, 4096));
      let buf = Buffer.allocUnsafe(want);
      let got = readSync(fd, buf, 0, want, this.read.offset);
      let pos = 0;
      while (pos < got && envelopes.length < maxEvents) {
        let nl = buf.indexOf(NEWLINE, pos);
        if (nl === -1 || nl >= got) {
          if (pos > 0) break;
          // One record larger than the read window: read it whole.
          const rest = Buffer.allocUnsafe(seg.size - this.read.offset);
          got = readSync(fd, rest, 0, rest.length, this.read.offset);
          buf = rest;
          nl = buf.indexOf(NEWLINE, 0);
          if (nl === -1 || nl >= got) throw new Error("spool record without end of line");
        }
        const line = buf.toString("utf8", pos, nl);
        const space = line.indexOf(" ");
        const at = Number(line.slice(0, space));
        if (envelopes.length === 0) firstReceivedAt = at;
        lastReceivedAt = at;
        envelopes.push(line.slice(space + 1));
        bytes += nl + 1 - pos;
        pos = nl + 1;
        this.readCount += 1;
        if (bytes >= maxBytes) break;
      }
      this.read = { segment: seg.n, offset: this.read.offset + pos };
    }
    if (envelopes.length === 0) return null;
    // Past a backlog the next unread record came no earlier than the last one read.
    this.unreadSince = this.unread > 0 ? lastReceivedAt : null;
    return { end: { ...this.read }, envelopes, firstReceivedAt, lastReceivedAt };
  }

  private readFdFor(n: number): number {
    if (this.readFd?.n === n) return this.readFd.fd;
    if (this.readFd) closeSync(this.readFd.fd);
    this.readFd = { n, fd: openSync(this.segmentPath(n), "r") };
    return this.readFd.fd;
  }

  /** Ingest acknowledged everything up to `end` (`count` events): move the cursor, drop old segments. */
  commit(end: SpoolPosition, count: number): void {
    this.cursor = { ...end };
    this.committed += count;
    const tmp = path.join(this.dir, "cursor.json.tmp");
    writeFileSync(tmp, JSON.stringify(this.cursor));
    renameSync(tmp, path.join(this.dir, "cursor.json"));
    while (this.segments.length > 1 && this.segments[0]!.n < this.cursor.segment) {
      const old = this.segments.shift()!;
      if (this.readFd?.n === old.n) {
        closeSync(this.readFd.fd);
        this.readFd = null;
      }
      unlinkSync(this.segmentPath(old.n));
    }
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  private syncNow(): void {
    if (!this.dirty) return;
    this.dirty = false;
    fdatasyncSync(this.appendFd);
  }

  private syncSoon(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    fdatasync(this.appendFd, () => undefined);
  }

  close(): void {
    if (this.closed) return;
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.syncNow();
    this.closed = true;
    closeSync(this.appendFd);
    if (this.readFd) closeSync(this.readFd.fd);
    this.readFd = null;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}
