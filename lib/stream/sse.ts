// Server-Sent Events framing. JSON.stringify never emits a raw newline, so a
// payload always fits on one `data:` line.

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform keeps compression middleware from buffering the stream.
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  // Reverse proxies (nginx) would otherwise buffer events until the socket closes.
  "X-Accel-Buffering": "no",
} as const;

/** Proxies drop idle connections after ~30–60 s; a comment every 10 s keeps them open. */
export const HEARTBEAT_MS = 10_000;

export const SSE_PING = ": ping\n\n";

export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Tells EventSource how long to wait before reconnecting on its own. */
export function sseRetry(ms: number): string {
  return `retry: ${ms}\n\n`;
}

/** How long a browser waits before reconnecting after a shutdown's `close` (another instance may be up sooner). */
export const SHUTDOWN_RETRY_MS = 5_000;

/**
 * The last event of a stream the server ends: `reason` says why ("shutdown":
 * reconnect after `retryMs`; "revoked" or "expired": the session is over, log
 * in again). The `retry:` field makes a plain EventSource wait that long too.
 */
export function sseClose(reason: string, retryMs = SHUTDOWN_RETRY_MS): string {
  return sseRetry(retryMs) + sseEvent("close", { reason, retryMs });
}

export interface SseMessage {
  event: string;
  data: string;
}

/** Splits SSE text into complete messages (comments skipped) and the unfinished rest. */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) messages.push({ event, data: data.join("\n") });
  }
  return { messages, rest };
}

/**
 * Reads an SSE response body to its end, handing over each chunk's complete
 * messages as they arrive. Resolves when the stream ends; a read that fails
 * (the connection dropped, or its fetch was aborted) ends it too.
 */
export async function readSse(
  body: NonNullable<Response["body"]>,
  onMessages: (messages: SseMessage[]) => void,
): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const parsed = parseSse(buffer + value);
      buffer = parsed.rest;
      if (parsed.messages.length > 0) onMessages(parsed.messages);
    }
  } catch {
    // Aborted or dropped: the stream is over either way.
  }
}
