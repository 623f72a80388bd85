// The open live streams of this process and the sessions they run under. A
// stream checks its session once when it opens; this keeps checking, so
// that no stream outlives its session: a revocation (logout, disabled
// operator, new password: the database announces each on SESSIONS_CHANNEL,
// relayed by the hub's LISTEN connection) or a missed notice (the timer,
// every STREAM_SESSION_CHECK_SECONDS) ends the streams of the sessions that
// are no longer valid, and shutdown ends them all at once. Each ends with a
// last `close` event (lib/stream/sse.ts, sseClose) telling the browser why.
import { stillValidSessions } from "../auth/sessions";
import { changeHub } from "./hub";

export type CloseReason = "revoked" | "expired" | "shutdown";

export interface OpenStream {
  /** SHA-256 of the session token (null: not tied to a session, e.g. an in-process test). */
  tokenHash: string | null;
  end(reason: CloseReason): void;
}

export function sessionCheckIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.STREAM_SESSION_CHECK_SECONDS ?? 10);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 10) * 1000;
}

export class StreamSessions {
  private readonly streams = new Set<OpenStream>();
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  private closing = false;

  constructor(private readonly intervalMs: () => number) {}

  get size(): number {
    return this.streams.size;
  }

  /** Tracks `stream` until the returned function is called (the stream ended). */
  add(stream: OpenStream): () => void {
    if (this.closing) {
      stream.end("shutdown");
      return () => {};
    }
    this.streams.add(stream);
    if (this.timer === null) {
      this.timer = setInterval(() => void this.recheck(), this.intervalMs());
      this.timer.unref?.();
    }
    return () => {
      this.streams.delete(stream);
      if (this.streams.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** Ends the streams whose sessions are no longer valid. Calls during a check fold into one more. */
  recheck(): Promise<void> {
    if (this.checking !== null) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        const open = [...this.streams].filter((s) => s.tokenHash !== null);
        const hashes = [...new Set(open.map((s) => s.tokenHash!))];
        let valid: Set<string>;
        try {
          valid = await stillValidSessions(hashes);
        } catch {
          // The database is unreachable: keep the streams, try again at the next tick.
          return;
        }
        for (const stream of open) if (!valid.has(stream.tokenHash!)) stream.end("revoked");
      } while (this.again);
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** Shutdown: ends every stream now, and any that opens from here on. */
  closeAll(reason: CloseReason = "shutdown"): void {
    this.closing = reason === "shutdown";
    for (const stream of [...this.streams]) stream.end(reason);
  }
}

const globalForStreams = globalThis as unknown as { fleetStreamSessions?: StreamSessions };

/** The process-wide registry; the hub's session notices trigger its recheck. */
export function streamSessions(): StreamSessions {
  if (globalForStreams.fleetStreamSessions === undefined) {
    const registry = new StreamSessions(() => sessionCheckIntervalMs());
    changeHub().onSessionNotice(() => void registry.recheck());
    globalForStreams.fleetStreamSessions = registry;
  }
  return globalForStreams.fleetStreamSessions;
}

/**
 * Next.js's graceful shutdown (SIGTERM, SIGINT) waits for every open
 * response: end the live streams at once, each telling its browser to come
 * back later, or one dashboard tab would hold the shutdown as long as it
 * stays open. Idempotent.
 */
export function endStreamsOnShutdown(): void {
  const holder = globalThis as unknown as { fleetStreamShutdownHook?: boolean };
  if (holder.fleetStreamShutdownHook) return;
  holder.fleetStreamShutdownHook = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => streamSessions().closeAll("shutdown"));
}
