// The fleet counts from maintained counters equal countClients' scan of
// client_state: for random histories delivered in any order, duplicated, in
// batches, with a rebuild at a random point, read at any time (pending
// disconnects turn offline as time passes, with no event), infrastructure
// clients and inventory-only labels included.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { countClients } from "../clients/list";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { resetDatabase } from "../../test/support/db";
import { resetDatabaseWithRollup } from "../../test/support/rollup-db";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  maybeInfraArbitrary,
  lifecycleEvent,
} from "../../test/support/presence-arbitraries";
import { sliceAtCuts } from "../../test/support/batches";
import { rebuildOnlineRollup } from "./online-rollup";
import { eventEnvelope } from "../../test/support/events";

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
// The default INFRASTRUCTURE_CLIENT_IDS: its clients are not part of the fleet.
const INFRA = "fleet-presence-bridge-x";

const scenario = historyArbitrary({ maxClients: 5, maxConnectionsPerClient: 5 })
  .chain((events) =>
    fc.record({
      // Some clients renamed to an infrastructure client's ID.
      events: maybeInfraArbitrary(events),
      cuts: fc.uniqueArray(fc.nat({ max: 40 }), { maxLength: 4 }),
      rebuildAfter: fc.option(fc.nat({ max: 4 })),
      // Read times a little after some event: inside and past the offline grace.
      reads: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -5_000, max: 120_000 })), {
        minLength: 1,
        maxLength: 4,
      }),
      delays: fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 5 }),
      labelled: fc.uniqueArray(fc.constantFrom("inventory-1", "inventory-2", INFRA, "a-0")),
    }),
  )
  .chain((s) =>
    fc
      .record({ delivery: deliveryArbitrary(s.events, { maxDuplicates: 3 }) })
      .map(({ delivery }) => ({ ...s, delivery })),
  );

beforeEach(resetDatabaseWithRollup);

describe("fleet counts from counters ↔ the scan", () => {
  it("agree at any time, for any delivery in batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        async ({ events, delivery, cuts, rebuildAfter, reads, delays, labelled }) => {
          await resetDatabase();
          for (const id of labelled)
            await db().pool.query(
              "INSERT INTO client_label (client_id, key, value) VALUES ($1, 'site', 'x')",
              [id],
            );
          await rebuildOnlineRollup();
          for (const [i, slice] of sliceAtCuts(delivery, cuts).entries()) {
            // Received soon after its latest event, as a live bridge delivers: the
            // offline grace then runs from about the disconnect.
            const receivedAt = latestTimestamp(slice) + delays[i % delays.length]!;
            const result = await ingest(
              JSON.stringify(slice.map(eventEnvelope)),
              new Date(receivedAt),
            );
            expect(result.rejected).toEqual([]);
            if (rebuildAfter === i) await rebuildOnlineRollup();
          }
          const times = reads.map(([k, offset]) =>
            events.length === 0 ? NOW : events[k % events.length]!.timestamp + offset,
          );
          for (const at of times) {
            const now = new Date(at);
            expect(await countClients(undefined, now)).toEqual(
              await countClients(undefined, now, "scan"),
            );
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 300_000);

  it("turns pending into offline with no event, at receipt + grace", async () => {
    const base = {
      clientId: "late",
      sessionIdentifier: "s",
      principalIdentifier: "p",
      versionNumber: 1,
    };
    const events = [
      lifecycleEvent({ ...base, eventType: "connected", timestamp: NOW - 3_600_000 }),
      lifecycleEvent({ ...base, eventType: "disconnected", timestamp: NOW }),
    ];
    await ingest(JSON.stringify(events.map(eventEnvelope)), new Date(NOW));
    const { offlineGraceMs } = presenceConfig();
    const at = (ms: number) => countClients(undefined, new Date(NOW + ms));
    expect(await at(offlineGraceMs - 1)).toMatchObject({ online: 0, pending: 1, offline: 0 });
    // Past the grace from receipt, still within the disconnect's own bound plus tolerance.
    expect(await at(offlineGraceMs + 1)).toMatchObject({ online: 0, pending: 0, offline: 1 });
    for (const ms of [offlineGraceMs - 1, offlineGraceMs + 1])
      expect(await at(ms)).toEqual(await countClients(undefined, new Date(NOW + ms), "scan"));
  });

  it("falls back to the scan when the counters are not built", async () => {
    await resetDatabase();
    const r = await ingest(
      JSON.stringify([
        eventEnvelope(
          lifecycleEvent({
            eventType: "connected",
            clientId: "solo",
            timestamp: NOW,
            sessionIdentifier: "s",
            principalIdentifier: "p",
            versionNumber: 1,
          }),
        ),
      ]),
      new Date(NOW),
    );
    expect(r.accepted).toBe(1);
    const counts = await countClients(undefined, new Date(NOW));
    expect(counts).toMatchObject({ online: 1, total: 1 });
  });
});
