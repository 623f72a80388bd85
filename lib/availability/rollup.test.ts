// The three copies of availability agree: the rollup that ingest keeps (read
// as the report reads it: whole days, exact partial days, the open
// connection), the direct SQL over the connections, and the reference
// lib/presence/availability.ts, for random histories delivered in any order,
// duplicated and split into batches ingested in parallel.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { availability } from "../presence/availability";
import { foldEvents, summarize } from "../presence/fold";
import { resetDatabase } from "../../test/support/db";
import { latestTimestamp, receivedInOrder } from "../../test/support/presence-arbitraries";
import { batchedDeliveryArbitrary, CLOCKS, inBatches } from "../../test/support/batches";
import { neverSeenAtSql } from "../clients/as-of-sql";
import { sql } from "../db/sql";
import { directAvailabilitySql } from "./direct-sql";
import { rebuildAvailability } from "./rebuild";
import { rollupFigures } from "./report";
import { ingestConcurrently } from "../../test/support/ingest-batches";

const DAY = 86_400_000;

/** A range bound around the history: anywhere from a day before to a day after, sometimes on a UTC midnight. */
const boundArbitrary = fc.tuple(fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.boolean());

function bound(first: number, last: number, [share, onMidnight]: [number, boolean]): number {
  const t = Math.round(first - DAY + share * (last - first + 2 * DAY));
  return onMidnight ? Math.round(t / DAY) * DAY : t;
}

beforeEach(resetDatabase);

describe("availability: rollup = direct SQL = reference", () => {
  it.each(CLOCKS)(
    "any batched, parallel, duplicated delivery ($clock)",
    async ({ options }) => {
      const config = presenceConfig();
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(
            batchedDeliveryArbitrary({ maxClients: 3, maxConnectionsPerClient: 6, ...options }),
            fc.array(fc.tuple(boundArbitrary, boundArbitrary), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: -2 * 3_600_000, max: 2 * DAY }),
          ),
          async ([[events, delivery, sizes], ranges, nowOffset]) => {
            await resetDatabase();
            const receivedAt = latestTimestamp(events) + 1_000;
            await ingestConcurrently(inBatches(delivery, sizes), receivedAt);
            // What ingest kept, batch by batch, is what a rebuild makes from the connections.
            const kept = await rollupTables();
            await db().pool.query("TRUNCATE availability_segment, availability_day");
            await rebuildAvailability(db().pool);
            expect(await rollupTables()).toEqual(kept);

            const first = Math.min(...events.map((e) => e.timestamp));
            const last = latestTimestamp(events);
            // "now" may fall inside the history (timestamps run ahead of the clock) or after it.
            const now = last + nowOffset;
            const histories = foldEvents(receivedInOrder(events, receivedAt));
            for (const history of histories.values()) {
              const firstEventAt = Math.min(
                ...events.filter((e) => e.clientId === history.clientId).map((e) => e.timestamp),
              );
              const { timeline } = summarize(history, now, config);
              // One first event for both readers: the fleet as of T calls the
              // client never_seen exactly when availability observed nothing
              // of [T, T + 1 ms), and both change at the reference's instant.
              for (const t of [firstEventAt - 1, firstEventAt, firstEventAt + 1]) {
                const unseen = sql`SELECT ${neverSeenAtSql(new Date(t))} AS unseen
                  FROM client_state cs WHERE cs.client_id = ${history.clientId}`;
                const asOf = (
                  await db().pool.query<{ unseen: boolean }>(unseen.text, unseen.values)
                ).rows[0]!.unseen;
                const observed = (
                  await rollupFigures(history.clientId, [{ w: 0, a: t, b: t + 1 }])
                ).get(0);
                expect({ t, asOf, observed: (observed?.observed_ms ?? 0) > 0 }).toEqual({
                  t,
                  asOf: t < firstEventAt,
                  observed: t >= firstEventAt,
                });
              }
              for (const [x, y] of ranges) {
                const [from, to] = [bound(first, last, x), bound(first, last, y)].sort(
                  (a, b) => a - b,
                ) as [number, number];
                const expected = availability({ timeline, firstEventAt, from, to, now });
                const end = Math.min(to, now);
                const rollup = (
                  await rollupFigures(history.clientId, [{ w: 0, a: from, b: end }])
                ).get(0);
                const direct = directAvailabilitySql(
                  history.clientId,
                  new Date(from),
                  new Date(end),
                );
                const row = (
                  await db().pool.query<{
                    online_ms: number;
                    observed_ms: number;
                    disconnects: number;
                  }>(direct.text, direct.values)
                ).rows[0]!;
                const context = { clientId: history.clientId, from, to, now };
                expect({ ...context, ...figures(rollup) }).toEqual({
                  ...context,
                  ...expect_(expected),
                });
                expect({ ...context, ...figures(row) }).toEqual({
                  ...context,
                  ...expect_(expected),
                });
              }
            }
          },
        ),
        { numRuns: 40 },
      );
    },
    240_000,
  );
});

async function rollupTables() {
  const segments = await db().pool.query<{ row: string }>(
    "SELECT concat_ws(' ', client_id, starts_at, ends_at) AS row FROM availability_segment ORDER BY client_id, starts_at",
  );
  const days = await db().pool.query<{ row: string }>(
    "SELECT concat_ws(' ', client_id, day, online_ms, disconnects) AS row FROM availability_day ORDER BY client_id, day",
  );
  return { segments: segments.rows.map((r) => r.row), days: days.rows.map((r) => r.row) };
}

function figures(row: { online_ms: number; observed_ms: number; disconnects: number } | undefined) {
  if (row === undefined || row.observed_ms <= 0)
    return { onlineMs: 0, observedMs: 0, disconnects: 0 };
  return { onlineMs: row.online_ms, observedMs: row.observed_ms, disconnects: row.disconnects };
}

function expect_(f: { onlineMs: number; observedMs: number; disconnects: number }) {
  return { onlineMs: f.onlineMs, observedMs: f.observedMs, disconnects: f.disconnects };
}
