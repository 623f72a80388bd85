// The availability report read from the kept ranking (rank.ts) lists exactly
// what it computes directly: the same clients, figures and order, with label
// and search filters, and page by page through cursors. Random histories are
// delivered in any order, duplicated and batched; the ranking is built (in
// one go, or a chunk at a time with ingest going on between and beside) at a
// random point of the delivery, and refreshed or not at the end, so marked
// clients are read both ways. The window's edge (a UTC midnight) falls within
// three minutes of one of the history's events, at the window's end or start:
// late events on either side of it, takeovers across it. Ranges near the
// window (the 30 days up to now, or any start in its first day and any end
// from its end to now) read pages bounded by the ranking: the same rows as
// those ranges computed directly.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import type { LifecycleEvent } from "../presence/types";
import { replaceLabels } from "../labels/store";
import { countRows, resetDatabase } from "../../test/support/db";
import { latestTimestamp } from "../../test/support/presence-arbitraries";
import { batchedDeliveryArbitrary, CLOCKS, inBatches } from "../../test/support/batches";
import { ingestConcurrently } from "../../test/support/ingest-batches";
import {
  connected,
  disconnected,
  envelope,
  subscribed,
  type Payload,
} from "../../test/support/events";
import { ingest } from "../ingest";
import { availabilityReport, availabilityReportCsvSql } from "./report";
import { AvailabilityReportQuery } from "./schemas";
import { RANK_DAYS, rankUse, rankUsable, rankWindow, runRankJob } from "./rank";

const DAY = 86_400_000;

beforeEach(resetDatabase);

async function csvRows(query: AvailabilityReportQuery, now: number, rank: boolean | "near") {
  const statement = availabilityReportCsvSql(query, now, rank === true ? "window" : rank || null);
  const r = await db().pool.query({
    text: statement.text,
    values: statement.values,
    rowMode: "array",
  });
  // PostgreSQL's float8 text and JavaScript's differ in form (1e-07, 1e-7): compared as numbers.
  return r.rows.map((row: string[]) =>
    [row[0], ...row.slice(1, 5).map((cell) => String(Number(cell)))].join(","),
  );
}

/** Every page of the report, `limit` rows at a time, as the CSV's first five columns. */
async function pagedRows(query: Record<string, string | string[]>, now: number) {
  const rows: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await availabilityReport(
      AvailabilityReportQuery.parse({ ...query, ...(cursor === null ? {} : { cursor }) }),
      now,
    );
    for (const item of page.items)
      rows.push(
        [
          item.clientId,
          String(item.availability),
          String(item.onlineSeconds),
          String(item.observedSeconds),
          String(item.disconnects),
        ].join(","),
      );
    cursor = page.nextCursor;
  } while (cursor !== null);
  return rows;
}

describe("availability ranking = the report computed directly", () => {
  it.each(CLOCKS)(
    "any delivery, built at any point, marked clients read both ways ($clock)",
    async ({ options }) => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(
            batchedDeliveryArbitrary({ maxClients: 4, maxConnectionsPerClient: 5, ...options }),
            fc.nat(),
            fc.integer({ min: -3, max: 3 }),
            fc.boolean(),
            fc.nat(),
            fc.constantFrom("whole", "interleaved", "beside"),
            fc.boolean(),
            fc.array(fc.constantFrom("berlin", "paris", null), { minLength: 4, maxLength: 4 }),
            fc.integer({ min: 0, max: DAY - 1 }),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.double({ min: 0, max: 1, noNaN: true }),
          ),
          async ([
            [history, received, sizes],
            pivot,
            minutes,
            atStart,
            cut,
            build,
            refresh,
            sites,
            intoDay,
            intoFirst,
            intoLast,
          ]) => {
            await resetDatabase();
            // The history moved so that one of its events falls within three
            // minutes of a UTC midnight: the window's end (or its start).
            const at = history[pivot % history.length]!.timestamp;
            const edge = Math.ceil(at / DAY) * DAY;
            const shift = edge - at + minutes * 60_000;
            const moved = (e: LifecycleEvent) => ({ ...e, timestamp: e.timestamp + shift });
            const events = history.map(moved);
            const delivery = received.map(moved);
            const last = latestTimestamp(events);
            const now = (atStart ? edge + RANK_DAYS * DAY : edge) + intoDay;
            const ids = [...new Set(events.map((e) => e.clientId))].sort();
            for (const [i, id] of ids.entries()) {
              const site = sites[i];
              if (site) await replaceLabels(new Map([[id, { site }]]));
            }

            const batches = inBatches(delivery, sizes);
            const k = cut % (batches.length + 1);
            const receivedAt = last + 1_000;
            await ingestConcurrently(batches.slice(0, k), receivedAt);
            const rest = batches.slice(k);
            if (build === "whole") {
              await runRankJob(db().pool, { now });
              await ingestConcurrently(rest, receivedAt);
            } else if (build === "interleaved") {
              // One client per chunk, ingest beside, then more marked clients in between.
              await Promise.all([
                runRankJob(db().pool, { now, chunk: 1 }),
                ingestConcurrently(rest.slice(0, 1), receivedAt),
              ]);
              for (const batch of rest.slice(1)) {
                await runRankJob(db().pool, { now, maxClients: 1, chunk: 1 });
                await ingestConcurrently([batch], receivedAt);
              }
            } else {
              await Promise.all([
                runRankJob(db().pool, { now, chunk: 1 }),
                ingestConcurrently(rest, receivedAt),
              ]);
            }
            // Finishes the build; with `refresh`, also recomputes the marked clients.
            await runRankJob(db().pool, { now, maxClients: refresh ? undefined : 0 });

            const window = rankWindow(now);
            expect(await rankUsable(db().pool, window.from, window.to, now)).toBe(true);
            const queries: Record<string, string | string[]>[] = [
              {},
              { order: "desc" },
              { label: ["site:berlin"] },
              { q: ids[0]!.slice(-2) },
            ];
            for (const q of queries) {
              const query = AvailabilityReportQuery.parse(q);
              const direct = await csvRows(query, now, false);
              expect({ q, rows: await csvRows(query, now, true) }).toEqual({ q, rows: direct });
              // The API reads the ranking, a page of two at a time.
              expect({ q, rows: await pagedRows({ ...q, limit: "2" }, now) }).toEqual({
                q,
                rows: direct,
              });
            }
            // Ranges near the window, bounded by it (rankUse: near): the 30
            // days up to now, and one starting anywhere in the window's first
            // day and ending anywhere from its end to now.
            const near = [
              { from: now - RANK_DAYS * DAY, to: now },
              {
                from: window.from + Math.floor(intoFirst * DAY),
                to: window.to + Math.floor(intoLast * (now - window.to)),
              },
            ];
            for (const range of near) {
              // The window itself when now is a midnight.
              expect(["near", "window"]).toContain(
                await rankUse(db().pool, range.from, range.to, now),
              );
              for (const q of queries) {
                const withRange = { ...q, from: String(range.from), to: String(range.to) };
                const parsed = AvailabilityReportQuery.parse(withRange);
                const direct = await csvRows(parsed, now, false);
                // The CSV of the whole range, read by the fleet from the ranking.
                expect({ withRange, rows: await csvRows(parsed, now, "near") }).toEqual({
                  withRange,
                  rows: direct,
                });
                for (const limit of ["1", "3"])
                  expect({
                    withRange,
                    limit,
                    rows: await pagedRows({ ...withRange, limit }, now),
                  }).toEqual({
                    withRange,
                    limit,
                    rows: direct,
                  });
              }
            }
          },
        ),
        { numRuns: 25 },
      );
    },
    300_000,
  );
});

describe("the CSV of a range near the window, read by the fleet", () => {
  it("has the figures computed directly, whatever the window's first day held", async () => {
    const H = 3_600_000;
    const now = Date.UTC(2026, 10, 20, 9);
    const { from: first } = rankWindow(now);
    const ingestNow = (...payloads: Payload[]) =>
      ingest(JSON.stringify(payloads.map(envelope)), new Date(now));
    // Online all of the first day (a closed connection across it), online
    // in part of it, offline all of it but online later, and online today.
    await ingestNow(
      connected("all-day", first - H, 1),
      disconnected("all-day", first + 26 * H, 1),
      connected("part", first + 2 * H, 1),
      disconnected("part", first + 3 * H, 1),
      connected("part", first + 20 * H, 2),
      disconnected("part", first + 21 * H, 2),
      connected("later", first + 30 * H, 1),
      disconnected("later", first + 31 * H, 1),
      connected("today", now - 5 * H, 1),
      disconnected("today", now - 4 * H, 1),
      connected("today", now - 3 * H, 2),
    );
    await runRankJob(db().pool, { now });
    for (const from of [first + 6 * H, first + 20.5 * H, first + 23 * H]) {
      const query = AvailabilityReportQuery.parse({ from: String(from), to: String(now) });
      expect(await rankUse(db().pool, from, now, now)).toBe("near");
      const direct = await csvRows(query, now, false);
      expect(direct).toHaveLength(4);
      expect(await csvRows(query, now, "near")).toEqual(direct);
    }
  });
});

describe("what ingest marks once the ranking is built", () => {
  const H = 3_600_000;
  const now = Date.UTC(2026, 10, 20, 9);
  const midnight = Date.UTC(2026, 10, 20);

  async function ingestNow(...payloads: Payload[]) {
    await ingest(JSON.stringify(payloads.map(envelope)), new Date(now));
  }

  async function sameBothWays() {
    const query = AvailabilityReportQuery.parse({});
    expect(await csvRows(query, now, true)).toEqual(await csvRows(query, now, false));
    // The last 30 days up to now, from the ranking corrected by today's part.
    const near = AvailabilityReportQuery.parse({
      from: String(now - RANK_DAYS * DAY),
      to: String(now),
    });
    expect(await csvRows(near, now, "near")).toEqual(await csvRows(near, now, false));
  }

  it("a device online since before midnight that disconnects after it: not marked (same figures)", async () => {
    await ingestNow(connected("dev", midnight - 5 * H, 1));
    await runRankJob(db().pool, { now });
    await ingestNow(disconnected("dev", midnight + H, 1), connected("dev", midnight + 2 * H, 2));
    expect(await countRows("availability_rank_dirty")).toBe(0);
    await sameBothWays();
  });

  it("a device online since before the window that disconnects after midnight: not marked, its first day read afresh", async () => {
    // Kept while open: no first-day row, the start kept. Closed after the
    // window's end: the figures stand, the first day's row now exists and
    // the 30 days up to now start at 09:00 of it.
    await ingestNow(connected("dev", rankWindow(now).from - 5 * H, 1));
    await runRankJob(db().pool, { now });
    await ingestNow(disconnected("dev", midnight + H, 1));
    expect(await countRows("availability_rank_dirty")).toBe(0);
    await sameBothWays();
  });

  it("a late disconnect stamped after midnight that lengthens a connection before it: marked", async () => {
    // Version 1's disconnect is lost for now: it ends where version 2 starts.
    await ingestNow(
      connected("dev", midnight - 2 * H, 1),
      connected("dev", midnight - H, 2),
      disconnected("dev", midnight - H / 2, 2),
    );
    await runRankJob(db().pool, { now });
    // A take-over: version 1 was online until 00:10, its disconnect arrives now.
    await ingestNow(disconnected("dev", midnight + 10 * 60_000, 1));
    expect(await countRows("availability_rank_dirty")).toBe(1);
    await sameBothWays();
  });

  it("a build started while a new client's first batch is in flight lists it", async () => {
    // The batch is held in its last statement, its marks not written (its
    // snapshot shows no ranking), by a segment another transaction holds.
    const t = midnight - 5 * H;
    // Read outside the blocker's transaction: activity is read once per transaction.
    const waiting = async (event: string) =>
      (
        await db().pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = $1",
          [event],
        )
      ).rows[0]!.n > 0;
    const until = async (done: () => Promise<boolean>) => {
      for (let i = 0; !(await done()); i++) {
        if (i > 500) throw new Error("timed out");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const blocker = await db().pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(
        "INSERT INTO availability_segment VALUES ('dev', to_timestamp($1 / 1000.0), to_timestamp($2 / 1000.0))",
        [t, t + H],
      );
      const stored = ingestNow(connected("dev", t, 1), disconnected("dev", t + H, 1));
      await until(() => waiting("transactionid"));
      let finished = false;
      const build = runRankJob(db().pool, { now }).finally(() => {
        finished = true;
      });
      // Either the build waits for the batch or it is done without it.
      await until(async () => finished || (await waiting("advisory")));
      await blocker.query("ROLLBACK");
      await Promise.all([stored, build]);
    } finally {
      blocker.release();
    }
    expect(await countRows("availability_rank")).toBe(1);
    await sameBothWays();
  });

  it("an event before midnight, of any type: marked", async () => {
    await ingestNow(connected("dev", midnight - 5 * H, 1));
    await runRankJob(db().pool, { now });
    await ingestNow(subscribed("dev", midnight - 6 * H, ["a/b"]));
    expect(await countRows("availability_rank_dirty")).toBe(1);
    await sameBothWays();
  });
});
