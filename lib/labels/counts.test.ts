// The label counters (label_count) equal a recount, and the counts and facet
// they serve equal countClients' and the facet's scans: for random histories
// delivered in any order, duplicated, in batches, with labels set, changed
// and removed between batches (infrastructure and never-seen clients
// included), a rebuild at a random point, read at any time. Then label
// writes racing ingest on the same clients, which the shared lock buckets
// must keep exact.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { countClients } from "../clients/list";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  maybeInfraArbitrary,
  lifecycleEvent,
} from "../../test/support/presence-arbitraries";
import { sliceAtCuts } from "../../test/support/batches";
import { eventEnvelope } from "../../test/support/events";
import { rebuildOnlineRollup } from "../stats/online-rollup";
import { labelFacet } from "./facet";
import { replaceLabels } from "./store";

// The default INFRASTRUCTURE_CLIENT_IDS matches it: not part of the fleet.
const INFRA = "fleet-presence-bridge-x";
const LABELS = [
  { key: "site", value: "a" },
  { key: "site", value: "b" },
  { key: "fw", value: "1" },
];

const labelsArbitrary = fc.record(
  { site: fc.constantFrom("a", "b"), fw: fc.constant("1") },
  { requiredKeys: [] },
);

const scenario = historyArbitrary({ maxClients: 5, maxConnectionsPerClient: 5 }).chain((events) => {
  const ids = [...new Set(events.map((e) => e.clientId)), INFRA, "inventory-1"];
  return fc.record({
    events: maybeInfraArbitrary(events),
    cuts: fc.uniqueArray(fc.nat({ max: 40 }), { maxLength: 4 }),
    // Before batch `at` (past the last: after all of them), these clients get these labels.
    writes: fc.array(
      fc.record({
        at: fc.nat({ max: 5 }),
        labels: fc.dictionary(fc.constantFrom(...ids), labelsArbitrary, { maxKeys: 3 }),
      }),
      { maxLength: 5 },
    ),
    rebuildAfter: fc.option(fc.nat({ max: 4 })),
    reads: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -5_000, max: 120_000 })), {
      minLength: 1,
      maxLength: 3,
    }),
    delivery: deliveryArbitrary(events, { maxDuplicates: 2 }),
  });
});

type Totals = Record<string, { clients: number; online: number }>;

async function counterTotals(): Promise<Totals> {
  const { rows } = await db().pool.query<{ k: string; clients: number; online: number }>(
    `SELECT key || '=' || value AS k, sum(clients)::int AS clients, sum(online)::int AS online
       FROM label_count GROUP BY 1 HAVING sum(clients) <> 0 OR sum(online) <> 0 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.k, { clients: r.clients, online: r.online }]));
}

async function expectCountersExact(now: Date) {
  for (const label of LABELS)
    expect(await countClients({ label: [label] }, now)).toEqual(
      await countClients({ label: [label] }, now, "scan"),
    );
  for (const key of ["site", "fw", "none"])
    expect(await labelFacet(key, now)).toEqual(await labelFacet(key, now, "scan"));
  const kept = await counterTotals();
  await rebuildOnlineRollup();
  expect(kept).toEqual(await counterTotals());
}

beforeEach(resetDatabaseWithRollup);

describe("label counters ↔ the scan", () => {
  it("agree for any delivery, label writes between batches and any read time", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ events, delivery, cuts, writes, rebuildAfter, reads }) => {
          await resetDatabaseWithRollup();
          const slices = sliceAtCuts(delivery, cuts);
          const writeAt = async (i: number) => {
            for (const w of writes)
              if (Math.min(w.at, slices.length) === i && Object.keys(w.labels).length > 0)
                await replaceLabels(new Map(Object.entries(w.labels)));
          };
          for (const [i, slice] of slices.entries()) {
            await writeAt(i);
            const result = await ingest(
              JSON.stringify(slice.map(eventEnvelope)),
              new Date(latestTimestamp(slice) + 1_000),
            );
            expect(result.rejected).toEqual([]);
            if (rebuildAfter === i) await rebuildOnlineRollup();
          }
          await writeAt(slices.length);
          for (const [k, offset] of reads) {
            const at = events.length === 0 ? Date.now() : events[k % events.length]!.timestamp;
            await expectCountersExact(new Date(at + offset));
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);

  it("stay exact while label writes race ingest on the same clients", async () => {
    const t0 = Date.UTC(2026, 2, 10, 12, 0, 0);
    const ids = Array.from({ length: 40 }, (_, i) => `race-${i}`);
    const batch = (round: number) =>
      JSON.stringify(
        ids.map((clientId, i) =>
          eventEnvelope(
            lifecycleEvent({
              clientId,
              eventType: (round + i) % 2 === 0 ? "connected" : "disconnected",
              timestamp: t0 + round * 1_000,
              sessionIdentifier: `s-${Math.floor((round + (i % 2)) / 2)}`,
              principalIdentifier: "p",
              versionNumber: Math.floor((round + (i % 2)) / 2),
            }),
          ),
        ),
      );
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 12; round += 1) {
      work.push(ingest(batch(round), new Date(t0 + round * 1_000)));
      const site = round % 2 === 0 ? "a" : "b";
      work.push(
        replaceLabels(
          new Map(ids.filter((_, i) => i % 3 !== round % 3).map((id) => [id, { site }])),
        ),
      );
    }
    await Promise.all(work);
    await expectCountersExact(new Date(t0 + 12_000));
    const { total } = await countClients({ label: [{ key: "site", value: "a" }] });
    const { total: b } = await countClients({ label: [{ key: "site", value: "b" }] });
    expect(total + b).toBe(ids.length);
  });
});
