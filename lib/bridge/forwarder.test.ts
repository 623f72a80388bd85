// When the forwarder sends a partial batch: after linger on a free slot;
// while every slot is busy the next batch grows. Fake timers: the schedule is exact.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Forwarder, type ForwarderOptions } from "./forwarder";
import type { IngestClient, IngestOutcome } from "./ingest-client";
import { silentLogger } from "../log/logger";
import { createBridgeMetrics } from "./metrics";
import { Spool } from "./spool";

interface Post {
  at: number;
  count: number;
}

let dir: string;
let spool: Spool;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  dir = mkdtempSync(path.join(tmpdir(), "forwarder-test-"));
  spool = new Spool({ dir, fsync: "off" });
});

afterEach(() => {
  spool.close();
  rmSync(dir, { recursive: true, force: true });
  vi.useRealTimers();
});

/** A forwarder whose ingest takes `ingestMs` per batch; it records when each batch went out and how big it was. */
function forwarder(ingestMs: number, options: Partial<ForwarderOptions> = {}) {
  const posts: Post[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client: IngestClient = {
    async post(body) {
      const count = (JSON.parse(body.toString()) as unknown[]).length;
      posts.push({ at: Date.now(), count });
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ingestMs));
      inFlight -= 1;
      return {
        kind: "ok",
        status: 200,
        counts: { accepted: count, duplicates: 0, rejected: [] },
      } satisfies IngestOutcome;
    },
    close() {},
  };
  const fwd = new Forwarder({
    spool,
    client,
    metrics: createBridgeMetrics({
      spooledEvents: () => 0,
      spoolBytes: () => 0,
      lagSeconds: () => 0,
      mqttConnected: () => true,
    }),
    log: silentLogger,
    maxEvents: 500,
    maxWaitMs: 200,
    lingerMs: 20,
    maxBytes: 512 * 1024,
    maxInFlight: 2,
    retryBaseMs: 10,
    retryMaxMs: 100,
    onFatal: (error) => {
      throw error;
    },
    now: Date.now,
    ...options,
  });
  return { fwd, posts, maxInFlight: () => maxInFlight };
}

/** One event every `everyMs` for `forMs`, as the MQTT side spools them. */
async function steadyStream(fwd: Forwarder, everyMs: number, forMs: number) {
  for (let t = 0; t < forMs; t += everyMs) {
    spool.enqueue(
      Date.now(),
      JSON.stringify({ topic: "$aws/events/presence/connected/x", payload: { t } }),
    );
    spool.flush();
    fwd.notify();
    await vi.advanceTimersByTimeAsync(everyMs);
  }
}

describe("Forwarder batching", () => {
  it("sends a steady trickle after linger, not after max-wait", async () => {
    const { fwd, posts } = forwarder(5);
    await steadyStream(fwd, 2, 400); // never quiet for a tenth of max-wait
    await vi.advanceTimersByTimeAsync(300);
    expect(posts[0]!.at).toBe(20);
    // Every batch went out within linger of its first event: about 20 ms of events each.
    expect(posts.reduce((n, p) => n + p.count, 0)).toBe(200);
    for (const p of posts.slice(0, -1)) expect(p.count).toBeGreaterThanOrEqual(9);
    for (const p of posts.slice(0, -1)) expect(p.count).toBeLessThanOrEqual(11);
  });

  it("without linger the same trickle waits max-wait", async () => {
    const { fwd, posts } = forwarder(5, { lingerMs: 200 });
    await steadyStream(fwd, 2, 400);
    await vi.advanceTimersByTimeAsync(300);
    expect(posts[0]!.at).toBe(200);
    expect(posts[0]!.count).toBe(100);
  });

  it("uses the second slot after linger too, and while both are busy the next batch grows", async () => {
    const { fwd, posts, maxInFlight } = forwarder(60);
    await steadyStream(fwd, 1, 400);
    await vi.advanceTimersByTimeAsync(500);
    expect(posts.reduce((n, p) => n + p.count, 0)).toBe(400);
    expect(maxInFlight()).toBe(2);
    expect(posts.slice(0, 4)).toEqual([
      { at: 20, count: 20 },
      { at: 40, count: 20 }, // the second slot
      { at: 80, count: 40 }, // both were busy from 40 to 80: it waited and grew
      { at: 100, count: 20 },
    ]);
  });

  it("a full batch goes out at once, in a second slot if need be", async () => {
    const { fwd, posts, maxInFlight } = forwarder(100);
    for (let i = 0; i < 1_200; i += 1) spool.enqueue(0, JSON.stringify({ i }));
    spool.flush();
    fwd.notify();
    await vi.advanceTimersByTimeAsync(0);
    expect(posts).toEqual([
      { at: 0, count: 500 },
      { at: 0, count: 500 },
    ]);
    expect(maxInFlight()).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(posts[2]).toEqual({ at: 100, count: 200 });
  });
});
