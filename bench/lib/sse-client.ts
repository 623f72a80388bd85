// A browser-like reader of GET /api/stream that hands each message over with
// the moment it arrived.
import { readSse, type SseMessage } from "../../lib/stream/sse";

export interface SseConnection {
  close(): void;
  /** Resolves once the hub reports its LISTEN connection is up. */
  listening: Promise<void>;
  /** Resolves when the stream is over: the server ended it, it dropped, or close() was called. */
  ended: Promise<void>;
}

/** The app's fetch: the stream, like every read API, needs an operator session. */
export type AppFetch = (path: string, init?: RequestInit) => Promise<Response>;

export async function openSse(
  appFetch: AppFetch,
  onMessage: (m: SseMessage, at: number) => void,
): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await appFetch("/api/stream", { signal: abort.signal });
  if (response.status !== 200 || response.body === null)
    throw new Error(`GET /api/stream answered ${response.status}`);
  let markListening: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (markListening = resolve));
  const ended = readSse(response.body, (messages) => {
    const at = performance.timeOrigin + performance.now();
    for (const m of messages) {
      if (
        m.event === "listener" &&
        (JSON.parse(m.data) as { connected?: boolean }).connected === true
      )
        markListening();
      onMessage(m, at);
    }
  });
  return { close: () => abort.abort(), listening, ended };
}
