// The scheduler's SQL agrees with the pure reference: a history ingested in
// two bursts, each permuted and duplicated, and evaluated at ticks through
// every deadline, fires and resolves exactly the alerts of the reference.
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { TOPIC_PREFIXES } from "../ingest/schemas";
import type { LifecycleEvent } from "../presence/types";
import { resetDatabase } from "../../test/support/db";
import { deliveryArbitrary } from "../../test/support/presence-arbitraries";
import { simulateOffline, ticksFor, twoBurstsArbitrary } from "../../test/support/alert-simulation";
import { insertRule, resetAlerts, storedAlerts } from "../../test/support/alerts-db";
import { alertsConfig } from "./config";
import { evaluateRules } from "./evaluate";
import { runs } from "@/test/support/runs";

function toEnvelope(e: LifecycleEvent) {
  const payload = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null));
  return { topic: TOPIC_PREFIXES[e.eventType] + e.clientId, payload };
}

async function ingestAt(events: readonly LifecycleEvent[], at: number): Promise<void> {
  if (events.length === 0) return;
  const result = await ingest(JSON.stringify(events.map(toEnvelope)), new Date(at));
  expect(result.rejected).toEqual([]);
}

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
});

describe("client_offline in SQL ↔ reference", () => {
  it("two permuted, duplicated bursts evaluated at every deadline fire and resolve the reference's alerts", async () => {
    const presence = presenceConfig();
    const alerts = alertsConfig({} as NodeJS.ProcessEnv);
    await fc.assert(
      fc.asyncProperty(
        twoBurstsArbitrary().chain((h) => {
          const first = h.received.filter((r) => r.receivedAt === h.r1 && h.r1 !== h.r2);
          const second = h.received.filter((r) => !first.includes(r));
          return fc
            .tuple(
              deliveryArbitrary(
                first.map((r) => r.event),
                { maxDuplicates: 3 },
              ),
              deliveryArbitrary(
                second.map((r) => r.event),
                { maxDuplicates: 3 },
              ),
            )
            .map(([d1, d2]) => ({ ...h, d1, d2 }));
        }),
        async ({ received, r1, r2, forMs, d1, d2 }) => {
          await resetDatabase();
          await resetAlerts();
          const ruleId = await insertRule({ kind: "client_offline", forSeconds: forMs / 1000 });
          const ticks = ticksFor(r1, r2, forMs, presence);
          let firstDone = false;
          let secondDone = false;
          for (const tick of ticks) {
            if (!firstDone && tick >= r1) {
              await ingestAt(d1, r1);
              firstDone = true;
            }
            if (!secondDone && tick >= r2) {
              await ingestAt(d2, r2);
              secondDone = true;
            }
            await evaluateRules(db().pool, new Date(tick), presence, alerts);
          }
          expect(await storedAlerts(ruleId)).toEqual(
            simulateOffline(received, ticks, forMs, presence),
          );
        },
      ),
      { numRuns: runs(100) },
    );
  }, 300_000);

  it("a reconnect before grace + forSeconds leaves no alert; a later one resolves it", async () => {
    const presence = presenceConfig();
    const ruleId = await insertRule({ kind: "client_offline", forSeconds: 60 });
    const t0 = Date.UTC(2026, 11, 3, 10);
    const ev = (eventType: "connected" | "disconnected", clientId: string, t: number, v: number) =>
      ({
        eventType,
        clientId,
        timestamp: t,
        sessionIdentifier: `s-${clientId}`,
        principalIdentifier: null,
        versionNumber: v,
        clientInitiatedDisconnect: eventType === "disconnected" ? false : null,
        disconnectReason: eventType === "disconnected" ? "CONNECTION_LOST" : null,
        ipAddress: null,
        thingName: null,
        topics: null,
        connectFailureReason: null,
      }) satisfies LifecycleEvent;
    await ingestAt([ev("connected", "quick", t0, 1), ev("connected", "slow", t0, 1)], t0);
    await ingestAt(
      [ev("disconnected", "quick", t0 + 1000, 1), ev("disconnected", "slow", t0 + 1000, 1)],
      t0 + 1000,
    );
    const tick = (t: number) =>
      evaluateRules(db().pool, new Date(t), presence, alertsConfig({} as NodeJS.ProcessEnv));
    await tick(t0 + 50_000);
    await ingestAt([ev("connected", "quick", t0 + 80_000, 2)], t0 + 80_000);
    await tick(t0 + 90_000);
    await tick(t0 + 91_000); // due: 1 000 + 30 000 grace + 60 000 for
    expect(await storedAlerts(ruleId)).toEqual([
      { clientId: "slow", episode: "v1/s-slow", startedAt: t0 + 91_000, resolvedAt: null },
    ]);
    await ingestAt([ev("connected", "slow", t0 + 120_000, 2)], t0 + 120_000);
    await tick(t0 + 125_000);
    expect(await storedAlerts(ruleId)).toEqual([
      { clientId: "slow", episode: "v1/s-slow", startedAt: t0 + 91_000, resolvedAt: t0 + 125_000 },
    ]);
  });

  it("a backlog replayed long after the last evaluation fires at once (its due time is already past)", async () => {
    const presence = presenceConfig();
    const ruleId = await insertRule({ kind: "client_offline", forSeconds: 10 });
    const t0 = Date.UTC(2026, 11, 3, 10);
    const tick = (t: number) =>
      evaluateRules(db().pool, new Date(t), presence, alertsConfig({} as NodeJS.ProcessEnv));
    await tick(t0 + 3_000_000);
    await tick(t0 + 3_600_000);
    await ingestAt(
      [backlogEvent("connected", t0), backlogEvent("disconnected", t0 + 1000)],
      t0 + 7_200_000,
    );
    await tick(t0 + 7_205_000);
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

function backlogEvent(eventType: "connected" | "disconnected", t: number): LifecycleEvent {
  return {
    eventType,
    clientId: "old",
    timestamp: t,
    sessionIdentifier: "s-old",
    principalIdentifier: null,
    versionNumber: 4,
    clientInitiatedDisconnect: eventType === "disconnected" ? false : null,
    disconnectReason: eventType === "disconnected" ? "CONNECTION_LOST" : null,
    ipAddress: null,
    thingName: null,
    topics: null,
    connectFailureReason: null,
  };
}
