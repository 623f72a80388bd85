// The open live streams of this process and the credentials they run
// under: an operator session (cookie) or an API token (bearer). A stream
// checks its credential once when it opens; this keeps checking, so that no
// stream outlives it: a revocation (logout, disabled operator, new password,
// a revoked API token: the database announces each on SESSIONS_CHANNEL,
// relayed by the hub's LISTEN connection) or a missed notice (the timer,
// every STREAM_SESSION_CHECK_SECONDS) ends the streams whose credential is
// no longer valid, and shutdown ends them all at once. Each ends with a
// last `close` event (lib/stream/sse.ts, sseClose) telling the browser why.
import { stillValidApiTokens } from "../auth/api-tokens";
import { stillValidSessions } from "../auth/sessions";
import { changeHub } from "./hub";

export type CloseReason = "revoked" | "expired" | "shutdown";

/** session: SHA-256 of the session token; apiToken: the API token's id. */
export type StreamCredential = { kind: "session" | "apiToken"; id: string };

export interface OpenStream {
  /** Null: not tied to a credential (an in-process test). */
  credential: StreamCredential | null;
  end(reason: CloseReason): void;
}

/** The ids of `kind` among the streams' credentials, once each. */
const idsOf = (streams: OpenStream[], kind: StreamCredential["kind"]) => [
  ...new Set(streams.flatMap((s) => (s.credential?.kind === kind ? [s.credential.id] : []))),
];

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

  /** Ends the streams whose credentials are no longer valid. Calls during a check fold into one more. */
  recheck(): Promise<void> {
    if (this.checking !== null) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        const open = [...this.streams];
        let sessions: Set<string>;
        let apiTokens: Set<string>;
        try {
          [sessions, apiTokens] = await Promise.all([
            stillValidSessions(idsOf(open, "session")),
            stillValidApiTokens(idsOf(open, "apiToken")),
          ]);
        } catch {
          // The database is unreachable: keep the streams, try again at the next tick.
          return;
        }
        for (const stream of open) {
          const c = stream.credential;
          if (c !== null && !(c.kind === "session" ? sessions : apiTokens).has(c.id))
            stream.end("revoked");
        }
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
