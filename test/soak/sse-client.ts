// An SSE reader with EventSource's reconnection: when the stream ends or
// cannot be opened it waits `retryMs` and opens it again, for as long as it
// runs. It records every connection attempt and every message it received.
import { readSse } from "../../lib/stream/sse";
import type { AppServer } from "../support/app-server";

export interface ReceivedMessage {
  at: number;
  connection: number;
  event: string;
  data: string;
}

export interface StreamAttempt {
  at: number;
  status: number | "error";
}

export interface ReconnectingStream {
  readonly messages: ReceivedMessage[];
  readonly attempts: StreamAttempt[];
  /** Resolves with the first message at or after `since` matching `match`. */
  waitFor(
    match: (m: ReceivedMessage) => boolean,
    since: number,
    timeoutMs: number,
  ): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

export function openReconnectingStream(app: AppServer, retryMs = 1000): ReconnectingStream {
  const messages: ReceivedMessage[] = [];
  const attempts: StreamAttempt[] = [];
  let abort = new AbortController();
  let closed = false;

  const readOnce = async (): Promise<void> => {
    abort = new AbortController();
    const connection = attempts.length;
    let response: Response;
    try {
      response = await app.fetch("/api/stream", { signal: abort.signal });
    } catch {
      attempts.push({ at: Date.now(), status: "error" });
      return;
    }
    attempts.push({ at: Date.now(), status: response.status });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    // Ends when the app goes away (or close() aborts): reconnect below.
    await readSse(response.body, (received) => {
      const at = Date.now();
      for (const m of received) messages.push({ at, connection, ...m });
    });
  };

  const loop = (async () => {
    while (!closed) {
      await readOnce();
      if (!closed) await new Promise((r) => setTimeout(r, retryMs));
    }
  })();

  return {
    messages,
    attempts,
    waitFor: async (match, since, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => m.at >= since && match(m));
        if (found) return found;
        if (Date.now() > deadline) {
          const tail = messages.slice(-10).map((m) => m.event);
          throw new Error(
            `no matching stream message within ${timeoutMs} ms; last: ${tail.join(",")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      closed = true;
      abort.abort();
      await loop;
    },
  };
}
