// The fleet's counts at a past moment from the online rollup and the
// overlap rows (lib/clients/as-of-rollup.ts) equal the scan of every client
// (countClientsAsOf's other path, held to the reference statusAt by
// as-of.test.ts): random histories with ±2 min clocks (so connections of one
// client overlap), delivered in any order, duplicated, in batches, with a
// rebuild at a random point, read at random moments, at event times ±1 ms,
// at whole minutes and just after them. The overlap rows ingest keeps equal
// a rebuild's.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { rebuildOnlineRollup } from "../stats/online-rollup";
import { resetDatabase } from "../../test/support/db";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import { sliceAtCuts } from "../../test/support/batches";
import { connected, disconnected, envelope, eventEnvelope } from "../../test/support/events";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  maybeInfraArbitrary,
} from "../../test/support/presence-arbitraries";
import { countsAsOfFromRollup } from "./as-of-rollup";
import { countClientsAsOf } from "./list-as-of";

const MINUTE = 60_000;

const scenario = historyArbitrary({ maxClients: 5, maxConnectionsPerClient: 5 })
  .filter((events) => events.length > 0)
  .chain((events) =>
    fc.record({
      events: maybeInfraArbitrary(events),
      cuts: fc.uniqueArray(fc.nat({ max: 40 }), { maxLength: 5 }),
      rebuildAfter: fc.option(fc.nat({ max: 5 })),
      // Near an event: the instant itself ±1 ms, its minute, later in that minute.
      reads: fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom("exact", "minute", "offset"),
          fc.integer({ min: -90_000, max: 90_000 }),
        ),
        { minLength: 1, maxLength: 6 },
      ),
      labelled: fc.boolean(),
    }),
  )
  .chain((s) =>
    deliveryArbitrary(s.events, { maxDuplicates: 3 }).map((delivery) => ({ ...s, delivery })),
  );

async function overlapRows(): Promise<string[]> {
  const { rows } = await db().pool.query<{ r: string }>(
    `SELECT concat_ws(' ', client_id, kind, x_conn_time, starts_at, ends_at) AS r
       FROM presence_overlap ORDER BY 1`,
  );
  return rows.map((row) => row.r);
}

beforeEach(resetDatabaseWithRollup);

describe("the fleet's counts as of T from the rollup ↔ the scan", () => {
  it("agree at any moment the history covers, for any delivery in batches", async () => {
    const config = presenceConfig();
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ events, delivery, cuts, rebuildAfter, reads, labelled }) => {
          await resetDatabase();
          if (labelled)
            await db().pool.query(
              "INSERT INTO client_label (client_id, key, value) VALUES ('inventory-1', 'site', 'x')",
            );
          await rebuildOnlineRollup();
          for (const [i, slice] of sliceAtCuts(delivery, cuts).entries()) {
            const result = await ingest(
              JSON.stringify(slice.map(eventEnvelope)),
              new Date(latestTimestamp(slice) + 1_000),
            );
            expect(result.rejected).toEqual([]);
            if (rebuildAfter === i) await rebuildOnlineRollup();
          }
          const kept = await overlapRows();
          await rebuildOnlineRollup();
          expect(kept).toEqual(await overlapRows());

          const oldest = Math.min(...events.map((e) => e.timestamp));
          for (const [k, kind, offset] of reads) {
            const at = events[k % events.length]!.timestamp;
            const t =
              kind === "exact"
                ? at + Math.sign(offset)
                : kind === "minute"
                  ? Math.floor(at / MINUTE) * MINUTE + Math.sign(offset)
                  : at + offset;
            const fast = await countsAsOfFromRollup(new Date(t), config);
            if (Math.floor(t / MINUTE) * MINUTE >= oldest) {
              expect(fast).not.toBeNull();
              answered += 1;
            }
            if (fast !== null)
              expect(fast).toEqual(await countClientsAsOf({}, new Date(t), "scan"));
          }
        },
      ),
      { numRuns: 80 },
    );
    expect(answered).toBeGreaterThan(40);
  }, 300_000);

  it("steps aside when retention has deleted events after the minute before T", async () => {
    const start = Date.UTC(2026, 2, 10, 12, 0, 30);
    const events = [connected("a", start, 1), disconnected("a", start + 10 * MINUTE, 1)];
    await ingest(JSON.stringify(events.map(envelope)), new Date(start + 11 * MINUTE));
    const config = presenceConfig();
    const t = new Date(start + 5 * MINUTE);
    expect(await countsAsOfFromRollup(t, config)).toMatchObject({ online: 1, total: 1 });
    await db().pool.query("DELETE FROM lifecycle_event WHERE event_at < $1", [
      new Date(start + 6 * MINUTE),
    ]);
    expect(await countsAsOfFromRollup(t, config)).toBeNull();
    expect(await countClientsAsOf({}, t)).toMatchObject({ online: 1, total: 1, offline: 0 });
  });
});
