// Alert state is derived from the presence model, not from arrival order:
// any delivery of a history (permuted, duplicated, redelivered later) fires
// and resolves exactly the alerts in-order delivery does.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONFIG,
  deliveryArbitrary,
  GRACE,
  lifecycleEvent,
} from "../../test/support/presence-arbitraries";
import { simulateOffline, ticksFor, twoBurstsArbitrary } from "../../test/support/alert-simulation";
import {
  TIMESTAMP_TOLERANCE_MS,
  type Connection,
  type LifecycleEvent,
  type ReceivedEvent,
} from "../presence";
import { offlineAlert, offlineDueAt } from "./reference";
import { runs } from "@/test/support/runs";

const simulate = simulateOffline;
const twoBursts = twoBurstsArbitrary();

describe("client_offline alerts (reference)", () => {
  it("any permutation with duplicates fires and resolves the in-order alerts", () => {
    fc.assert(
      fc.property(
        twoBursts.chain((h) => deliveryArbitrary(h.received).map((d) => ({ ...h, delivery: d }))),
        ({ received, delivery, r1, r2, forMs }) => {
          const ticks = ticksFor(r1, r2, forMs);
          expect(simulate(delivery, ticks, forMs)).toEqual(simulate(received, ticks, forMs));
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("a copy redelivered later (a broker retry) fires and resolves nothing more", () => {
    fc.assert(
      fc.property(
        twoBursts.chain((h) =>
          fc
            .subarray(h.received, { minLength: 1 })
            .map((again) => ({ ...h, again: again.map((r) => ({ ...r, receivedAt: h.r2 + 1 })) })),
        ),
        ({ received, again, r1, r2, forMs }) => {
          const ticks = ticksFor(r1, r2, forMs);
          expect(simulate([...received, ...again], ticks, forMs)).toEqual(
            simulate(received, ticks, forMs),
          );
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it("never fires one episode twice, and every resolution follows its firing", () => {
    fc.assert(
      fc.property(twoBursts, ({ received, r1, r2, forMs }) => {
        const records = simulate(received, ticksFor(r1, r2, forMs), forMs);
        const keys = records.map((r) => `${r.clientId}\u0000${r.episode}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const r of records)
          if (r.resolvedAt !== null) expect(r.resolvedAt).toBeGreaterThanOrEqual(r.startedAt);
      }),
      { numRuns: runs(200) },
    );
  });
});

const T0 = 1_800_000_000_000;
const conn = (patch: Partial<Connection>): Connection => ({
  clientId: "dev-1",
  sessionIdentifier: "s1",
  versionNumber: 3,
  connectedAt: T0 - 60_000,
  disconnectedAt: T0,
  disconnectReceivedAt: T0 + 500,
  disconnectReason: "CONNECTION_LOST",
  clientInitiatedDisconnect: false,
  principalIdentifier: null,
  ipAddress: null,
  thingName: null,
  ...patch,
});

describe("client_offline timing", () => {
  it("is due grace + forSeconds after the server received the disconnect", () => {
    const c = conn({});
    expect(offlineDueAt(c, 60_000, CONFIG)).toBe(T0 + 500 + GRACE + 60_000);
    expect(offlineAlert(c, 60_000, T0 + 500 + GRACE + 59_999, CONFIG)).toBeNull();
    expect(offlineAlert(c, 60_000, T0 + 500 + GRACE + 60_000, CONFIG)).toEqual({
      clientId: "dev-1",
      episode: "v3/s1",
      startedAt: T0 + 500 + GRACE + 60_000,
    });
  });

  it("a replayed backlog is due from its own timestamp (status is offline at once)", () => {
    const c = conn({ disconnectReceivedAt: T0 + 3_600_000 });
    expect(offlineDueAt(c, 0, CONFIG)).toBe(T0 + GRACE + TIMESTAMP_TOLERANCE_MS);
  });

  it("an open connection wants no alert", () => {
    expect(
      offlineAlert(conn({ disconnectedAt: null, disconnectReceivedAt: null }), 0, T0 * 2, CONFIG),
    ).toBeNull();
    expect(offlineAlert(undefined, 0, T0, CONFIG)).toBeNull();
  });

  it("a reconnect inside grace + forSeconds cancels silently; after it, it resolves the alert", () => {
    const ev = (e: Partial<LifecycleEvent>): LifecycleEvent =>
      lifecycleEvent({
        eventType: "connected",
        clientId: "dev-1",
        timestamp: T0,
        sessionIdentifier: "s1",
        versionNumber: 1,
        ...e,
      });
    const forMs = 60_000;
    const history = (reconnectAt: number): ReceivedEvent[] => [
      { event: ev({}), receivedAt: T0 },
      {
        event: ev({
          eventType: "disconnected",
          timestamp: T0 + 1_000,
          disconnectReason: "CONNECTION_LOST",
        }),
        receivedAt: T0 + 1_000,
      },
      { event: ev({ timestamp: reconnectAt, versionNumber: 2 }), receivedAt: reconnectAt },
    ];
    const ticks = Array.from({ length: 60 }, (_, i) => T0 + i * 5_000);
    const due = T0 + 1_000 + GRACE + forMs;
    expect(simulate(history(due - 1), ticks, forMs)).toEqual([]);
    const late = simulate(history(due + 10_000), ticks, forMs);
    expect(late).toEqual([
      { clientId: "dev-1", episode: "v1/s1", startedAt: due, resolvedAt: T0 + 105_000 },
    ]);
  });
});
