// sharedCount's rule (shared-counts.ts): while counting is fast, every caller
// gets a count that started after it asked; once it is slow (over a large
// fleet: a small one is always counted afresh), callers get the last one
// within three times its duration, and from twice it the next count starts
// behind them. The live fleet counts, on PostgreSQL, see a write made just
// before.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../test/support/db";
import { connected, envelope } from "../../test/support/events";
import { ingest } from "../ingest";
import { countClients, liveFleetCounts } from "../clients/list";
import { SLOW_MS, sharedCount } from "./shared-counts";
import { withReadScope } from "../db/request-reads";
import { RequestAborted } from "../errors";

/** A count the test finishes by hand, at a time of its clock. */
function harness(reusable?: (value: number) => boolean) {
  let clock = 0;
  const started: {
    at: number;
    signal: AbortSignal;
    finish: (v: number) => void;
    fail: (e: Error) => void;
  }[] = [];
  const count = sharedCount(
    (signal) =>
      new Promise<number>((resolve, reject) => {
        started.push({ at: clock, signal, finish: resolve, fail: reject });
      }),
    { now: () => clock, ...(reusable ? { reusable } : {}) },
  );
  const tick = (ms: number) => {
    clock += ms;
  };
  /** Lets the promise callbacks run. */
  const settle = () => new Promise((r) => setImmediate(r));
  return { count, started, tick, settle };
}

describe("sharedCount", () => {
  it("while counting is fast, callers during a count share the next one, started after them", async () => {
    const h = harness();
    const first = h.count();
    const second = h.count();
    const third = h.count();
    expect(h.started).toHaveLength(1);
    h.tick(10);
    h.started[0]!.finish(1);
    expect(await first).toBe(1);
    await h.settle();
    // One more count for both waiting callers, not one each.
    expect(h.started).toHaveLength(2);
    h.started[1]!.finish(2);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    // Fast: the next caller counts again at once.
    const fourth = h.count();
    expect(h.started).toHaveLength(3);
    h.started[2]!.finish(3);
    expect(await fourth).toBe(3);
  });

  it("once counting is slow, callers get the last count at once and the next one starts behind them", async () => {
    const h = harness();
    const first = h.count();
    const d = SLOW_MS * 4;
    h.tick(d);
    h.started[0]!.finish(1);
    expect(await first).toBe(1);
    // Within 2·d of its end: the same answer, no count.
    h.tick(2 * d - 1);
    expect(await h.count()).toBe(1);
    expect(h.started).toHaveLength(1);
    // From 2·d: still the same answer at once, and one count starts for the callers after.
    h.tick(1);
    expect(await h.count()).toBe(1);
    expect(await h.count()).toBe(1);
    expect(h.started).toHaveLength(2);
    // While it runs, callers still get the last one, and no other count starts.
    h.tick(d - 1);
    expect(await h.count()).toBe(1);
    expect(h.started).toHaveLength(2);
    h.started[1]!.finish(2);
    await h.settle();
    // Its answer is the one callers get now.
    expect(await h.count()).toBe(2);
    expect(h.started).toHaveLength(2);
    // Once a count is fast again, callers get one started after them.
    h.tick(3 * d);
    const c = h.count();
    expect(h.started).toHaveLength(3);
    h.tick(10);
    h.started[2]!.finish(3);
    expect(await c).toBe(3);
    const e = h.count();
    expect(h.started).toHaveLength(4);
    h.started[3]!.finish(4);
    expect(await e).toBe(4);
  });

  it("once counting is slow, a caller after 3·d waits for the running count or a new one", async () => {
    const h = harness();
    const first = h.count();
    const d = SLOW_MS * 4;
    h.tick(d);
    h.started[0]!.finish(1);
    await first;
    h.tick(3 * d);
    const a = h.count();
    const b = h.count();
    // One count, both waiting for it.
    expect(h.started).toHaveLength(2);
    h.tick(d);
    h.started[1]!.finish(2);
    expect(await a).toBe(2);
    expect(await b).toBe(2);
    // A count started behind the callers that fails leaves the last one in use.
    h.tick(2 * d);
    expect(await h.count()).toBe(2);
    expect(h.started).toHaveLength(3);
    h.started[2]!.fail(new Error("server gone"));
    await h.settle();
    expect(await h.count()).toBe(2);
    expect(h.started).toHaveLength(4);
  });

  it("a slow count that is not reusable (a small fleet's, on a busy machine) is counted afresh", async () => {
    const h = harness((value) => value >= 100);
    const first = h.count();
    h.tick(SLOW_MS * 4);
    h.started[0]!.finish(2);
    expect(await first).toBe(2);
    h.tick(1);
    const second = h.count();
    expect(h.started).toHaveLength(2);
    h.tick(SLOW_MS * 4);
    h.started[1]!.finish(100);
    expect(await second).toBe(100);
    // A large value's slow count is reused.
    h.tick(1);
    expect(await h.count()).toBe(100);
    expect(h.started).toHaveLength(2);
  });

  it("a failed count fails its callers and is not kept", async () => {
    const h = harness();
    const a = h.count();
    const b = h.count();
    h.started[0]!.fail(new Error("server gone"));
    await expect(a).rejects.toThrow("server gone");
    await h.settle();
    // b waited for the next count, which may succeed.
    expect(h.started).toHaveLength(2);
    h.started[1]!.finish(5);
    expect(await b).toBe(5);
    const c = h.count();
    expect(h.started).toHaveLength(3);
    h.started[2]!.finish(6);
    expect(await c).toBe(6);
  });
});

describe("sharedCount in requests' read scopes", () => {
  /** Calls `count` as a request would, in a read scope its controller aborts. */
  const asRequest = (count: () => Promise<number>) => {
    const request = new AbortController();
    const answer = withReadScope(
      { what: "GET /test", timeoutMs: 0, signal: request.signal },
      count,
    );
    return { answer, abort: () => request.abort() };
  };

  /** A harness whose last count was slow and is too old (3·d) to reuse: callers share the next. */
  async function slowHarness() {
    const h = harness();
    const warm = h.count();
    h.tick(SLOW_MS * 2);
    h.started[0]!.finish(0);
    await warm;
    h.tick(SLOW_MS * 6);
    return h;
  }

  it("a request that goes away stops waiting; the count is cancelled once nobody waits", async () => {
    const h = await slowHarness();
    const a = asRequest(h.count);
    const b = asRequest(h.count);
    await h.settle();
    expect(h.started).toHaveLength(2);
    a.abort();
    await expect(a.answer).rejects.toBeInstanceOf(RequestAborted);
    // b still waits: the count goes on.
    expect(h.started[1]!.signal.aborted).toBe(false);
    b.abort();
    await expect(b.answer).rejects.toBeInstanceOf(RequestAborted);
    expect(h.started[1]!.signal.aborted).toBe(true);
  });

  it("a caller outside any request keeps the count going", async () => {
    const h = await slowHarness();
    const a = asRequest(h.count);
    const outside = h.count();
    await h.settle();
    a.abort();
    await expect(a.answer).rejects.toBeInstanceOf(RequestAborted);
    expect(h.started[1]!.signal.aborted).toBe(false);
    h.started[1]!.finish(7);
    expect(await outside).toBe(7);
  });

  it("while counting is fast, the only request waiting for a count cancels it by going away", async () => {
    const h = harness();
    const a = asRequest(h.count);
    await h.settle();
    a.abort();
    await expect(a.answer).rejects.toBeInstanceOf(RequestAborted);
    expect(h.started[0]!.signal.aborted).toBe(true);
  });

  it("a request waiting for the next count stops waiting when it goes away", async () => {
    const h = harness();
    const first = h.count();
    const queued = asRequest(h.count);
    await h.settle();
    queued.abort();
    await expect(queued.answer).rejects.toBeInstanceOf(RequestAborted);
    h.started[0]!.finish(1);
    expect(await first).toBe(1);
    await h.settle();
    // Nobody waits for a next count: none started.
    expect(h.started).toHaveLength(1);
  });
});

describe("liveFleetCounts", () => {
  beforeEach(resetDatabase);

  it("counts a client stored just before, as the scan does", async () => {
    const before = await liveFleetCounts();
    await ingest(JSON.stringify([envelope(connected("shared-counts-a", Date.now() - 1_000, 1))]));
    const [after, scanned] = await Promise.all([
      liveFleetCounts(),
      countClients(undefined, new Date(), "scan"),
    ]);
    expect(after.total).toBe(before.total + 1);
    expect(after.online).toBe(before.online + 1);
    expect(after).toEqual(scanned);
  });
});
