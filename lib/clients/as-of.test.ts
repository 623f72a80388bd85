// The fleet at a past moment has two copies: the pure reference
// (lib/presence/as-of.ts, statusAt and isFlappingAt) and the SQL the API runs
// (lib/clients/as-of-sql.ts, through listClients and countClientsAsOf). These
// properties hold the SQL to the reference over random histories delivered in
// any order with duplicates, read at random moments and at every event's
// timestamp (±1 ms), where a status changes.
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { ingest } from "../ingest";
import { replaceLabels } from "../labels/store";
import { foldEvents } from "../presence/fold";
import { isFlappingAt, statusAt } from "../presence/as-of";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  receivedInOrder,
} from "../../test/support/presence-arbitraries";
import { resetDatabase } from "../../test/support/db";
import { countClientsAsOf } from "./list-as-of";
import { listClients } from "./list";
import type { ClientView, ListClientsQuery } from "./schemas";
import { eventEnvelope } from "../../test/support/events";

const HOUR = 3_600_000;
/** A client ID with labels and no event: never_seen at every moment. */
const INVENTORY_ID = "inventory-only";

const fleetArbitrary = () =>
  historyArbitrary({ maxClients: 5, maxConnectionsPerClient: 4 }).chain((events) => {
    const first = Math.min(...events.map((e) => e.timestamp));
    const last = latestTimestamp(events);
    const edges = events.flatMap((e) => [e.timestamp - 1, e.timestamp, e.timestamp + 1]);
    const at = fc.oneof(
      fc.integer({ min: first - HOUR, max: last + HOUR }),
      fc.constantFrom(...edges),
    );
    return fc.record({
      events: fc.constant(events),
      delivery: deliveryArbitrary(events, { maxDuplicates: 4 }),
      times: fc.array(at, { minLength: 1, maxLength: 4 }),
      labelInventory: fc.boolean(),
    });
  });

async function listAll(query: Omit<ListClientsQuery, "limit" | "cursor">) {
  const items: ClientView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listClients({ ...query, limit: 2, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

const flapThreshold = process.env.FLAP_THRESHOLD;
beforeAll(() => {
  process.env.FLAP_THRESHOLD = "2"; // histories of ≤ 4 connections would never reach 5
});
afterAll(() => {
  if (flapThreshold === undefined) delete process.env.FLAP_THRESHOLD;
  else process.env.FLAP_THRESHOLD = flapThreshold;
});
beforeEach(resetDatabase);

describe("the SQL of the fleet as of T agrees with the reference (statusAt)", () => {
  it("lists, filters and counts every client as statusAt and isFlappingAt say", async () => {
    await fc.assert(
      fc.asyncProperty(fleetArbitrary(), async ({ events, delivery, times, labelInventory }) => {
        await resetDatabase();
        const receivedAt = latestTimestamp(events) + 1_000;
        const result = await ingest(
          JSON.stringify(delivery.map(eventEnvelope)),
          new Date(receivedAt),
        );
        expect(result.rejected).toEqual([]);
        if (labelInventory) await replaceLabels(new Map([[INVENTORY_ID, { site: "x" }]]));
        const config = presenceConfig();
        // The reference reads the history in order, once: arrival order must not matter.
        const histories = foldEvents(receivedInOrder(events, receivedAt));
        const firstEvent = new Map<string, number>();
        for (const e of events)
          firstEvent.set(e.clientId, Math.min(firstEvent.get(e.clientId) ?? Infinity, e.timestamp));
        for (const t of times) {
          const expected = new Map<string, { status: string; flapping: boolean }>();
          for (const [id, h] of histories) {
            const connections = [...h.connections.values()];
            expected.set(id, {
              status: statusAt(connections, firstEvent.get(id)!, t, config.versionResetWindowMs),
              flapping: isFlappingAt(connections, t, config),
            });
          }
          if (labelInventory) expected.set(INVENTORY_ID, { status: "never_seen", flapping: false });
          const asOf = t;
          const all = await listAll({ asOf });
          expect(Object.fromEntries(all.map((c) => [c.clientId, c.status]))).toEqual(
            Object.fromEntries([...expected].map(([id, e]) => [id, e.status])),
          );
          expect(all.map((c) => c.clientId)).toEqual(
            [...expected.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
          );
          for (const status of ["online", "offline", "never_seen", "pending"] as const) {
            const listed = await listAll({ asOf, status, order: "desc" });
            expect(listed.map((c) => c.clientId).sort()).toEqual(
              [...expected]
                .filter(([, e]) => e.status === status)
                .map(([id]) => id)
                .sort(),
            );
          }
          const flapping = await listAll({ asOf, flapping: true });
          expect(flapping.map((c) => c.clientId).sort()).toEqual(
            [...expected]
              .filter(([, e]) => e.flapping)
              .map(([id]) => id)
              .sort(),
          );
          const seen = [...expected.values()].filter((e) => e.status !== "never_seen");
          expect(await countClientsAsOf({}, new Date(t))).toEqual({
            online: seen.filter((e) => e.status === "online").length,
            pending: 0,
            offline: seen.filter((e) => e.status === "offline").length,
            total: seen.length,
            flapping: seen.filter((e) => e.flapping).length,
            neverSeen: expected.size - seen.length,
          });
        }
      }),
      { numRuns: 40 },
    );
  }, 240_000);
});
