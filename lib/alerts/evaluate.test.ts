// The scheduler's SQL agrees with the pure reference: a history ingested in
// two bursts, each permuted and duplicated, and evaluated at ticks through
// every deadline, fires and resolves exactly the alerts of the reference.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import type { LifecycleEvent } from "../presence/types";
import { deliveryArbitrary, lifecycleEvent } from "../../test/support/presence-arbitraries";
import { simulateOffline, ticksFor, twoBurstsArbitrary } from "../../test/support/alert-simulation";
import {
  evaluateAt,
  evaluateThroughTicks,
  ingestAt,
  insertRule,
  resetPresenceAndAlerts,
  splitBursts,
  storedAlerts,
} from "../../test/support/alerts-db";
import { runs } from "@/test/support/runs";

beforeEach(resetPresenceAndAlerts);

describe("client_offline in SQL ↔ reference", () => {
  it("two permuted, duplicated bursts evaluated at every deadline fire and resolve the reference's alerts", async () => {
    const presence = presenceConfig();
    await fc.assert(
      fc.asyncProperty(
        twoBurstsArbitrary().chain((h) => {
          const { first, second } = splitBursts(h);
          return fc
            .tuple(
              deliveryArbitrary(first, { maxDuplicates: 3 }),
              deliveryArbitrary(second, { maxDuplicates: 3 }),
            )
            .map(([d1, d2]) => ({ ...h, d1, d2 }));
        }),
        async ({ received, r1, r2, forMs, d1, d2 }) => {
          await resetPresenceAndAlerts();
          const ruleId = await insertRule({ kind: "client_offline", forSeconds: forMs / 1000 });
          const ticks = ticksFor(r1, r2, forMs, presence);
          await evaluateThroughTicks({ first: d1, r1, second: d2, r2 }, ticks);
          expect(await storedAlerts(ruleId)).toEqual(
            simulateOffline(received, ticks, forMs, presence),
          );
        },
      ),
      { numRuns: runs(100) },
    );
  }, 300_000);

  it("a reconnect before grace + forSeconds leaves no alert; a later one resolves it", async () => {
    const ruleId = await insertRule({ kind: "client_offline", forSeconds: 60 });
    const t0 = Date.UTC(2026, 11, 3, 10);
    await ingestAt([ev("connected", "quick", t0, 1), ev("connected", "slow", t0, 1)], t0);
    await ingestAt(
      [ev("disconnected", "quick", t0 + 1000, 1), ev("disconnected", "slow", t0 + 1000, 1)],
      t0 + 1000,
    );
    await evaluateAt(t0 + 50_000);
    await ingestAt([ev("connected", "quick", t0 + 80_000, 2)], t0 + 80_000);
    await evaluateAt(t0 + 90_000);
    await evaluateAt(t0 + 91_000); // due: 1 000 + 30 000 grace + 60 000 for
    expect(await storedAlerts(ruleId)).toEqual([
      { clientId: "slow", episode: "v1/s-slow", startedAt: t0 + 91_000, resolvedAt: null },
    ]);
    await ingestAt([ev("connected", "slow", t0 + 120_000, 2)], t0 + 120_000);
    await evaluateAt(t0 + 125_000);
    expect(await storedAlerts(ruleId)).toEqual([
      { clientId: "slow", episode: "v1/s-slow", startedAt: t0 + 91_000, resolvedAt: t0 + 125_000 },
    ]);
  });

  it("a backlog replayed long after the last evaluation fires at once (its due time is already past)", async () => {
    const ruleId = await insertRule({ kind: "client_offline", forSeconds: 10 });
    const t0 = Date.UTC(2026, 11, 3, 10);
    await evaluateAt(t0 + 3_000_000);
    await evaluateAt(t0 + 3_600_000);
    await ingestAt(
      [ev("connected", "old", t0, 4), ev("disconnected", "old", t0 + 1000, 4)],
      t0 + 7_200_000,
    );
    await evaluateAt(t0 + 7_205_000);
    expect(await storedAlerts(ruleId)).toEqual([
      {
        clientId: "old",
        episode: "v4/s-old",
        startedAt: t0 + 1000 + 30_000 + 120_000 + 10_000,
        resolvedAt: null,
      },
    ]);
  });
});

/** A normalised connect or disconnect of a client's version `v`, in session `s-<clientId>`. */
function ev(
  eventType: "connected" | "disconnected",
  clientId: string,
  t: number,
  v: number,
): LifecycleEvent {
  return lifecycleEvent({
    eventType,
    clientId,
    timestamp: t,
    sessionIdentifier: `s-${clientId}`,
    versionNumber: v,
    clientInitiatedDisconnect: eventType === "disconnected" ? false : null,
    disconnectReason: eventType === "disconnected" ? "CONNECTION_LOST" : null,
  });
}
