// GET /api/stream behind the HTTP layer: one browser's event stream, fed by
// the process-wide hub, torn down when the browser goes away, and ended by
// the server (a last `close` event) when its session or API token ends or
// the process shuts down (lib/stream/stream-sessions.ts).
import "server-only";
import { changeHub } from "./hub";
import { HEARTBEAT_MS, SSE_HEADERS, SSE_PING, sseClose, sseEvent, sseRetry } from "./sse";
import { streamSessions, type CloseReason, type StreamCredential } from "./stream-sessions";

/** The credential a stream runs under and when it expires (null: never, as an API token may). */
export interface LiveCredential extends StreamCredential {
  expiresAt: Date | null;
}

/**
 * A browser that stops reading (or reads slower than a storm of changes
 * arrives) must not make the server buffer without bound: past this many
 * bytes queued beyond the stream's high-water mark the server ends its stream.
 * EventSource reconnects after the `retry:` delay and the page resyncs, which
 * is cheaper than an endless queue.
 */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** setTimeout's longest delay (about 24.8 days): a later expiry is rechecked by the timer instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `credential`: the session or API token the stream runs under; it ends
 * with it (expiry, revocation). Null only where none exists (in-process tests).
 * `maxQueuedBytes`: the queue's bound (a test's smaller one).
 */
export function openFleetStream(
  signal: AbortSignal,
  credential: LiveCredential | null,
  maxQueuedBytes = MAX_QUEUED_BYTES,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const send = (chunk: string) => {
          if (closed || chunk.length === 0) return;
          if ((controller.desiredSize ?? 0) < -maxQueuedBytes) {
            cleanup();
            return;
          }
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            cleanup();
          }
        };
        send(sseRetry(2_000) + sseEvent("ready", { at: new Date().toISOString() }));
        const unsubscribe = changeHub().subscribe(send);
        const heartbeat = setInterval(() => send(SSE_PING), HEARTBEAT_MS);
        const end = (reason: CloseReason) => {
          send(reason === "shutdown" ? sseClose(reason) : sseClose(reason, 60_000));
          cleanup();
        };
        const untrack = streamSessions().add({
          credential: credential === null ? null : { kind: credential.kind, id: credential.id },
          end,
        });
        const expiresAt = credential?.expiresAt ?? null;
        const expiry =
          expiresAt === null
            ? undefined
            : setTimeout(
                () => end("expired"),
                Math.min(MAX_TIMER_MS, Math.max(0, expiresAt.getTime() - Date.now())),
              );
        cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          clearTimeout(expiry);
          untrack();
          unsubscribe();
          signal.removeEventListener("abort", cleanup);
          try {
            controller.close();
          } catch {
            // Already closed by the reader.
          }
        };
        if (signal.aborted) cleanup();
        else signal.addEventListener("abort", cleanup);
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
}

export function sseResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { headers: SSE_HEADERS });
}
