// The per-connection queue of GET /api/stream is bounded: a reader that stops
// reading while changes keep coming gets its stream ended (it reconnects and
// resyncs), while a reader that keeps up stays connected and gets every change.
import { afterAll, describe, expect, it } from "vitest";
import { connected, envelope } from "../../test/support/events";
import { ingest } from "../ingest";
import { changeHub } from "./hub";
import { openFleetStream } from "./open-stream";
import { parseSse } from "./sse";

const BOUND = 16 * 1024;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a stream to its end (or until aborted), counting bytes and `client` messages. */
function consume(stream: ReadableStream<Uint8Array>) {
  const seen = { bytes: 0, clients: new Set<string>(), ended: false };
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader
        .read()
        .catch(() => ({ value: undefined, done: true }));
      if (end || value === undefined) break;
      seen.bytes += value.byteLength;
      const parsed = parseSse(buffer + decoder.decode(value, { stream: true }));
      buffer = parsed.rest;
      for (const m of parsed.messages)
        if (m.event === "client")
          seen.clients.add((JSON.parse(m.data) as { clientId: string }).clientId);
    }
    seen.ended = true;
  })();
  return { seen, done };
}

describe("the stream's per-connection queue", () => {
  const aborts: AbortController[] = [];
  afterAll(() => {
    for (const a of aborts) a.abort();
  });

  it("ends the stream of a reader that stopped reading, and keeps the one that reads", async () => {
    const hub = changeHub();
    const before = hub.subscriberCount;
    const [stalled, reading] = [new AbortController(), new AbortController()];
    aborts.push(stalled, reading);
    const unread = openFleetStream(stalled.signal, null, BOUND);
    const live = consume(openFleetStream(reading.signal, null, BOUND));
    await until(() => hub.isListening && hub.subscriberCount === before + 2, 10_000, "LISTEN");

    // Batches of 300 new clients: few enough per batch to be pushed one by one
    // (not a bulk resync), about 150 KB of `client` messages each.
    const prefix = `queue-bound-${Date.now()}-`;
    const ids: string[] = [];
    for (let b = 0; b < 3; b += 1) {
      const now = Date.now();
      const batch = Array.from({ length: 300 }, (_, i) => {
        const id = `${prefix}${b}-${String(i).padStart(3, "0")}`;
        ids.push(id);
        return envelope(connected(id, now, 1));
      });
      const answer = await ingest(JSON.stringify(batch));
      expect(answer.accepted).toBe(300);
    }

    // The reader that keeps up gets every change and stays subscribed…
    await until(() => ids.every((id) => live.seen.clients.has(id)), 15_000, "every change");
    expect(live.seen.ended).toBe(false);
    // …the stalled one was dropped by the hub, and its stream ends after what was queued.
    await until(() => hub.subscriberCount === before + 1, 10_000, "the stalled stream to end");
    const rest = consume(unread);
    await rest.done;
    expect(rest.seen.ended).toBe(true);
    // It got some of the changes, never all of them: the rest were never queued.
    expect(rest.seen.clients.size).toBeLessThan(ids.length);
    expect(rest.seen.bytes).toBeLessThan(live.seen.bytes);
  }, 40_000);
});
