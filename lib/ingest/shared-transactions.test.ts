// Requests that share transactions get the answers they would get alone:
// their own accepted and duplicate counts, everything stored once, and a
// failed transaction fails every request in it.
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import { connected, envelope } from "../../test/support/events";
import { parseItems } from "./parse";
import { SharedTransactions, type StoreFn } from "./shared-transactions";
import { storeBatch } from "./store";

const T0 = Date.now() - 60 * 60_000;

/** The real store, counting its transactions. */
function countingStore() {
  const calls: number[] = [];
  const store: StoreFn = async (accepted, rejected, receivedAt) => {
    calls.push(accepted.length + rejected.length);
    return storeBatch(db().pool, accepted, rejected, receivedAt, presenceConfig());
  };
  return { calls, store };
}

async function storedEvents(): Promise<number> {
  const r = await db().pool.query<{ n: number }>("SELECT count(*)::int AS n FROM lifecycle_event");
  return r.rows[0]!.n;
}

beforeEach(resetDatabase);

describe("shared transactions", () => {
  it("answer each request with its own counts, storing every event once", async () => {
    const { calls, store } = countingStore();
    const shared = new SharedTransactions(store, 1);
    // 30 distinct events, 10 of them sent twice, one bad item: 41 requests at once.
    const events = Array.from({ length: 30 }, (_, i) =>
      envelope(connected(`c-${i % 7}`, T0 + i, i)),
    );
    const requests = [...events, ...events.slice(0, 10), { topic: 7 }].map((item) =>
      parseItems([item], Date.now()),
    );
    const answers = await Promise.all(requests.map((r) => shared.submit(r)));
    expect(answers.slice(0, 30)).toEqual(Array(30).fill({ inserted: 1, duplicates: 0 }));
    expect(answers.slice(30, 40)).toEqual(Array(10).fill({ inserted: 0, duplicates: 1 }));
    expect(answers[40]).toEqual({ inserted: 0, duplicates: 0 });
    expect(await storedEvents()).toBe(30);
    const quarantined = await db().pool.query("SELECT reason FROM quarantined_event");
    expect(quarantined.rows).toEqual([{ reason: "topic must be a string" }]);
    // One transaction ran at a time: the first alone, the rest shared the next.
    expect(calls).toEqual([1, 40]);
  });

  it("a request sent again after its transaction committed is a duplicate", async () => {
    const { store } = countingStore();
    const shared = new SharedTransactions(store);
    const item = envelope(connected("again", T0, 1));
    expect(await shared.submit(parseItems([item], Date.now()))).toEqual({
      inserted: 1,
      duplicates: 0,
    });
    expect(await shared.submit(parseItems([item], Date.now()))).toEqual({
      inserted: 0,
      duplicates: 1,
    });
  });

  it("fail every request of a failed transaction, and keep serving the next ones", async () => {
    let failNext = true;
    const { store } = countingStore();
    // A fault the database cannot be made to produce on cue for one transaction.
    const flaky: StoreFn = async (...args) => {
      if (failNext) {
        failNext = false;
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("connection terminated");
      }
      return store(...args);
    };
    const shared = new SharedTransactions(flaky, 1);
    const batch = (i: number) => parseItems([envelope(connected(`f-${i}`, T0, i))], Date.now());
    const first = shared.submit(batch(0));
    const rest = [1, 2, 3].map((i) => shared.submit(batch(i)));
    await expect(first).rejects.toThrow("connection terminated");
    expect(await Promise.all(rest)).toEqual(Array(3).fill({ inserted: 1, duplicates: 0 }));
    expect(await storedEvents()).toBe(3);
  });
});
