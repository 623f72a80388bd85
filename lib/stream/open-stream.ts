// GET /api/stream behind the HTTP layer: one browser's event stream, fed by
// the process-wide hub, torn down when the browser goes away.
import "server-only";
import { changeHub } from "./hub";
import { HEARTBEAT_MS, SSE_HEADERS, SSE_PING, sseEvent, sseRetry } from "./sse";

/** A browser that stops reading must not make the server buffer without bound. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export function openFleetStream(signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const send = (chunk: string) => {
          if (closed || chunk.length === 0) return;
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
            // It reconnects and resyncs, which is cheaper than an endless queue.
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
        cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
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
