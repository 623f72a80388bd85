// The online chart's rollup equals today's computation from the connection
// table: for random histories delivered in any order, with duplicates, in
// batches of any size (each correcting what earlier ones wrote), and with a
// rebuild at a random point, every answer of the rollup is the connection
// table's, and the incrementally kept table is what a rebuild makes.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { resetDatabase } from "../../test/support/db";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
} from "../../test/support/presence-arbitraries";
import { sliceAtCuts } from "../../test/support/batches";
import { onlineHistory } from "./online-history";
import { rebuildOnlineRollup, rollupMatches } from "./online-rollup";
import { HISTORY_RANGES, type HistoryRange } from "./schemas";
import { eventEnvelope } from "../../test/support/events";

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const RANGES = Object.keys(HISTORY_RANGES) as HistoryRange[];
const STEP = HISTORY_RANGES["24h"].stepMs;

/** The rollup's rows that count (a row whose starts and ends went back to 0 counts for nothing). */
async function rollupRows(): Promise<string[]> {
  const { rows } = await db().pool.query<{ minute: string; starts: number; ends: number }>(
    "SELECT minute::text, starts, ends FROM online_minute WHERE starts <> 0 OR ends <> 0 ORDER BY minute",
  );
  return rows.map((r) => `${r.minute} +${r.starts} -${r.ends}`);
}

/** A history moved so that one of its events lands at a random point of the 7-day window. */
const placedHistory = fc
  .record({
    events: fc.oneof(
      historyArbitrary({ maxClients: 4, maxConnectionsPerClient: 6 }),
      historyArbitrary({
        maxClients: 4,
        maxConnectionsPerClient: 6,
        timestampGranularityMs: MINUTE,
      }),
    ),
    anchor: fc.nat(),
    at: fc.integer({ min: -8 * 24 * 60, max: 60 }).map((m) => NOW + m * MINUTE),
    nudge: fc.constantFrom(0, 0, 1, -1, 30_000),
  })
  .map(({ events, anchor, at, nudge }) => {
    if (events.length === 0) return events;
    const pivot = events[anchor % events.length]!.timestamp;
    return events.map((e) => ({ ...e, timestamp: e.timestamp - pivot + at + nudge }));
  });

const scenario = placedHistory.chain((events) =>
  fc.record({
    events: fc.constant(events),
    delivery: deliveryArbitrary(events, { maxDuplicates: 4 }),
    cuts: fc.uniqueArray(fc.nat({ max: 40 }), { maxLength: 5 }),
    rebuildAfter: fc.option(fc.nat({ max: 5 })),
    // Read times on whole minutes around NOW, some on a sample of the 24 h grid.
    nows: fc.array(
      fc.oneof(
        fc.integer({ min: -3 * 24 * 60, max: 120 }).map((m) => NOW + m * MINUTE),
        fc.integer({ min: -40, max: 8 }).map((k) => NOW + k * STEP),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  }),
);

beforeEach(resetDatabaseWithRollup);

describe("online rollup ↔ connection table", () => {
  it("answers every range exactly as the scan does, for any delivery in batches", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ events, delivery, cuts, rebuildAfter, nows }) => {
        await resetDatabase();
        await rebuildOnlineRollup();
        const receivedAt = Math.max(NOW + 2 * 3_600_000, latestTimestamp(events) + 1_000);
        for (const [i, slice] of sliceAtCuts(delivery, cuts).entries()) {
          const batch = slice.map(eventEnvelope);
          const result = await ingest(JSON.stringify(batch), new Date(receivedAt + i));
          expect(result.rejected).toEqual([]);
          if (rebuildAfter === i) await rebuildOnlineRollup();
        }
        const kept = await rollupRows();
        await rebuildOnlineRollup();
        expect(kept).toEqual(await rollupRows());
        for (const now of [NOW, ...nows]) {
          for (const range of RANGES) {
            const scan = await onlineHistory({ range }, new Date(now), "connections");
            const rolled = await onlineHistory({ range }, new Date(now), "rollup");
            expect(rolled).toEqual(scan);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 300_000);

  it("is used only when built for this process's infrastructure globs", async () => {
    expect(await rollupMatches()).toBe(true);
    await resetDatabase();
    expect(await rollupMatches()).toBe(false);
    await expect(onlineHistory({ range: "24h" }, new Date(NOW), "rollup")).rejects.toThrow(
      "not built",
    );
    await db().pool.query(
      "INSERT INTO online_rollup_state (id, infrastructure_likes, built_at) VALUES (1, '{other%}', now())",
    );
    expect(await rollupMatches()).toBe(false);
  });
});
