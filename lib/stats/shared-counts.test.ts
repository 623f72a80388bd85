// sharedCount's rule (shared-counts.ts): while counting is fast, every caller
// gets a count that started after it asked; once it is slow, callers share
// the running count and reuse the last one within twice its duration. The
// live fleet counts, on PostgreSQL, see a write made just before.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "../../test/support/db";
import { connected, envelope } from "../../test/support/events";
import { ingest } from "../ingest";
import { countClients, liveFleetCounts } from "../clients/list";
import { SLOW_MS, sharedCount } from "./shared-counts";

/** A count the test finishes by hand, at a time of its clock. */
function harness() {
  let clock = 0;
  const started: { at: number; finish: (v: number) => void; fail: (e: Error) => void }[] = [];
  const count = sharedCount(
    () =>
      new Promise<number>((resolve, reject) => {
        started.push({ at: clock, finish: resolve, fail: reject });
      }),
    () => clock,
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

  it("once counting is slow, callers share the running count and reuse it for twice its duration", async () => {
    const h = harness();
    const first = h.count();
    h.tick(SLOW_MS * 4);
    h.started[0]!.finish(1);
    expect(await first).toBe(1);
    // Within 2·d of its end: the same answer, no count.
    h.tick(SLOW_MS * 8 - 1);
    expect(await h.count()).toBe(1);
    expect(h.started).toHaveLength(1);
    // Past it: a new count, and callers meanwhile share it.
    h.tick(1);
    const a = h.count();
    const b = h.count();
    expect(h.started).toHaveLength(2);
    h.tick(10);
    h.started[1]!.finish(2);
    expect(await a).toBe(2);
    expect(await b).toBe(2);
    // That count was fast: back to counting afresh.
    const c = h.count();
    expect(h.started).toHaveLength(3);
    h.started[2]!.finish(3);
    expect(await c).toBe(3);
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
