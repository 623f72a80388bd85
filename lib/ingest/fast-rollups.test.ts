// The fast path (fast-rollups.ts) writes what the rollups' statements write:
// for random histories, and for cycles built around its conditions (version
// resets, repeated keys, reconnects without a disconnect, overlapping
// connections, lost connects), delivered mostly
// in order (the fast path's case, with some events swapped, duplicated or
// batched together, which must fall back), with labels, an infrastructure client, a built online rollup and
// an availability ranking, every rollup table after ingest with the fast path
// equals the tables after the same batches without it. And the fast path is
// taken: a good share of the clients settle there.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { runRankJob } from "../availability/rank";
import { replaceLabels } from "../labels/store";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import { historyArbitrary, maybeInfraArbitrary } from "../../test/support/presence-arbitraries";
import { inBatches } from "../../test/support/batches";
import {
  connected,
  disconnected,
  envelope,
  eventEnvelope,
  subscribed,
} from "../../test/support/events";
import { fastPathCounts } from "./fast-rollups";
import { parseItems } from "./parse";
import { storeBatch } from "./store";

const DAY = 86_400_000;

/**
 * Connect/disconnect cycles built to probe the fast path's conditions:
 * versions that fall back within the version-reset window or after it,
 * session and version pairs that repeat (a connection that already exists),
 * reconnects without a disconnect, disconnects on a UTC midnight, and
 * clients first seen by a subscription.
 */
const cyclesArbitrary = fc
  .array(
    fc.array(
      fc.record({
        // Negative: the next connection starts before this one's disconnect.
        gap: fc.constantFrom(-60_000, -1, 0, 1, 1_000, 299_999, 600_000, 600_001, 900_000, DAY),
        // A connect event lost: the connection is known by its disconnect only.
        dropConnect: fc.constantFrom(false, false, false, true),
        version: fc.nat({ max: 3 }),
        session: fc.constantFrom("s1", "s2"),
        // "midnight": up to the next UTC midnight.
        duration: fc.constantFrom<number | "midnight">(0, 1, 59_999, 60_000, DAY + 1, "midnight"),
        disconnect: fc.boolean(),
        subscribeFirst: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((clients) => {
    const out: Envelope[] = [];
    clients.forEach((cycles, i) => {
      // The third client is infrastructure: the chart and the counters leave it out.
      const id = i === 2 ? "fleet-presence-bridge-x" : `dev-${i}`;
      let t = Date.UTC(2026, 10, 30, 23, 0, 0);
      for (const c of cycles) {
        t += c.gap;
        if (c.subscribeFirst) out.push(envelope(subscribed(id, t, ["a/b"])));
        const extra = { sessionIdentifier: c.session };
        if (!c.dropConnect) out.push(envelope(connected(id, t, c.version, extra)));
        t += c.duration === "midnight" ? DAY - (t % DAY) : c.duration;
        if (c.disconnect) out.push(envelope(disconnected(id, t, c.version, extra)));
      }
    });
    return out;
  });

type Envelope = { topic: string; payload: Record<string, unknown> };

const scenario = fc
  .oneof(
    historyArbitrary({ maxClients: 4, maxConnectionsPerClient: 6 }).chain((h) =>
      maybeInfraArbitrary(h).map((events) => events.map(eventEnvelope) as Envelope[]),
    ),
    historyArbitrary({
      maxClients: 3,
      maxConnectionsPerClient: 5,
      timestampGranularityMs: 60_000,
    }).map((events) => events.map(eventEnvelope) as Envelope[]),
    { arbitrary: cyclesArbitrary, weight: 3 },
  )
  .chain((events) =>
    fc.record({
      events: fc.constant(events),
      // Swaps of neighbours in the time order: mostly in order, never wholly.
      swaps: fc.array(fc.nat({ max: 60 }), { maxLength: 3 }),
      duplicates: fc.array(fc.nat({ max: 60 }), { maxLength: 2 }),
      sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 }),
      labelled: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      // Where the ranking's "today" falls: before, inside or after the history.
      rankAt: fc.double({ min: -0.5, max: 1.5, noNaN: true }),
    }),
  );

const at = (e: Envelope) => e.payload.timestamp as number;

function delivery(events: readonly Envelope[], swaps: number[], duplicates: number[]) {
  const ordered = [...events].sort((a, b) => at(a) - at(b));
  for (const i of swaps) {
    const j = i % Math.max(1, ordered.length - 1);
    if (j + 1 < ordered.length) [ordered[j], ordered[j + 1]] = [ordered[j + 1]!, ordered[j]!];
  }
  for (const i of duplicates)
    if (ordered.length > 0) ordered.splice(i % ordered.length, 0, ordered[i % ordered.length]!);
  return ordered;
}

async function tables() {
  const q = async (text: string) =>
    (await db().pool.query<{ row: string }>(text)).rows.map((r) => r.row);
  return {
    segments: await q(
      "SELECT concat_ws(' ', client_id, starts_at, ends_at) AS row FROM availability_segment ORDER BY 1",
    ),
    days: await q(
      "SELECT concat_ws(' ', client_id, day, online_ms, disconnects) AS row FROM availability_day ORDER BY 1",
    ),
    minutes: await q(
      "SELECT concat_ws(' ', minute, starts, ends) AS row FROM online_minute WHERE starts <> 0 OR ends <> 0 ORDER BY 1",
    ),
    labels: await q(
      `SELECT concat_ws(' ', key, value, sum(clients), sum(online)) AS row FROM label_count
        GROUP BY key, value HAVING sum(clients) <> 0 OR sum(online) <> 0 ORDER BY 1`,
    ),
    overlaps: await q(
      "SELECT concat_ws(' ', client_id, kind, x_conn_time, starts_at, ends_at) AS row FROM presence_overlap ORDER BY 1",
    ),
    marks: await q("SELECT client_id AS row FROM availability_rank_dirty ORDER BY 1"),
    total: await q("SELECT clients::text AS row FROM online_rollup_state"),
  };
}

beforeEach(resetDatabaseWithRollup);

describe("fast path = the rollups' statements", () => {
  it("writes the same rows for mostly in-order delivery, and settles many clients", async () => {
    const config = presenceConfig();
    const counted = { fast: 0, slow: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ events, swaps, duplicates, sizes, labelled, rankAt }) => {
        const batches = inBatches(delivery(events, swaps, duplicates), sizes);
        const ids = [...new Set(events.map((e) => e.payload.clientId as string))];
        const labels = new Map(
          ids
            .filter((_, i) => labelled[i % labelled.length])
            .map((id, i) => [id, { site: i % 2 === 0 ? "a" : "b", fw: "1" }]),
        );
        const first = events.length === 0 ? 0 : Math.min(...events.map(at));
        const last = events.length === 0 ? 0 : Math.max(...events.map(at));
        const now = Math.round(first + rankAt * (last - first + 2 * DAY));
        const run = async (fast: boolean) => {
          await resetDatabaseWithRollup();
          if (labels.size > 0) await replaceLabels(labels);
          await runRankJob(db().pool, { now });
          const before = { ...fastPathCounts };
          for (const batch of batches) {
            const parsed = parseItems(batch, last + 1_000);
            expect(parsed.rejected).toEqual([]);
            await storeBatch(
              db().pool,
              parsed.accepted,
              parsed.rejected,
              new Date(last + 1_000),
              config,
              { availability: true, online: true, fast },
            );
          }
          if (fast) {
            counted.fast += fastPathCounts.fast - before.fast;
            counted.slow += fastPathCounts.slow - before.slow;
          }
          return tables();
        };
        const withFast = await run(true);
        const without = await run(false);
        expect(withFast).toEqual(without);
      }),
      { numRuns: 100 },
    );
    // Small batches of few clients often hold a client's connect and
    // disconnect together, and the cycles probe the fallback on purpose (both
    // slow); still, a good share settles by arithmetic (about a third).
    expect(counted.fast).toBeGreaterThan((counted.fast + counted.slow) / 5);
  }, 300_000);
});
