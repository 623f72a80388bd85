// Property tests for docs/model.md "Convergence": any permutation of a realistic
// history, with any events duplicated, yields what in-order delivery yields.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONFIG,
  deliveryArbitrary,
  GRACE,
  historyArbitrary,
  latestTimestamp,
  receivedInOrder,
  scenarioArbitrary,
  type Scenario,
} from "../../test/support/presence-arbitraries";
import {
  applyEvent,
  compareConnections,
  compareStrings,
  connectionKey,
  connectionTime,
  currentConnection,
  emptyHistory,
  foldEvents,
  pendingUntil,
  presenceStatus,
  statusSince,
  summarize,
  TIMESTAMP_TOLERANCE_MS,
  type ClientHistory,
  type ClientSummary,
  type Connection,
  type LifecycleEvent,
  type PresenceStatus,
  type ReceivedEvent,
} from "./index";
import { runs } from "@/test/support/runs";

const MINUTE = 60_000;

/** Read times around one common receipt time R: before, inside and after the grace period. */
function readTimes(events: readonly LifecycleEvent[], receivedAt: number): number[] {
  const sorted = events.map((e) => e.timestamp).sort((a, b) => a - b);
  const middle = sorted[Math.floor(sorted.length / 2)] ?? receivedAt;
  return [
    middle, // mid-history: other flapping windows, other connections current
    receivedAt,
    receivedAt + GRACE / 2,
    receivedAt + GRACE - 1,
    receivedAt + GRACE,
    receivedAt + GRACE + TIMESTAMP_TOLERANCE_MS + 1,
    receivedAt + CONFIG.flapWindowMs / 2,
    receivedAt + 24 * 60 * MINUTE,
  ];
}

interface Snapshot {
  clients: Array<{
    clientId: string;
    connections: Connection[];
    subscriptions: Array<{ topic: string; eventType: string; timestamp: number; session: string }>;
    failedAttempts: number;
    summaries: ClientSummary[];
  }>;
}

/** Everything the model derives, in a canonical form (no Map insertion order). */
function snapshotOf(clients: Map<string, ClientHistory>, nows: readonly number[]): Snapshot {
  return {
    clients: [...clients.values()]
      .sort((a, b) => compareStrings(a.clientId, b.clientId))
      .map((h) => ({
        clientId: h.clientId,
        connections: [...h.connections.values()].sort(compareConnections),
        subscriptions: [...h.subscriptions.values()]
          .map((s) => ({
            topic: s.topic,
            eventType: s.eventType,
            timestamp: s.timestamp,
            session: s.sessionIdentifier,
          }))
          .sort((a, b) => compareStrings(a.topic, b.topic)),
        failedAttempts: h.failedAttempts,
        summaries: nows.map((now) => summarize(h, now, CONFIG)),
      })),
  };
}

function snapshot(received: readonly ReceivedEvent[], nows: readonly number[]): Snapshot {
  return snapshotOf(foldEvents(received), nows);
}

/** A history, a common receipt time (the server clock may trail the jittered timestamps), and read times. */
const receivedHistory = historyArbitrary().chain((events) =>
  fc.integer({ min: -2 * MINUTE, max: 5 * MINUTE }).map((offset) => {
    const receivedAt = latestTimestamp(events) + offset;
    return { events, receivedAt, received: receivedInOrder(events, receivedAt) };
  }),
);

function statusRank(s: PresenceStatus): number {
  return s === "online" ? 0 : s === "pending" ? 1 : 2;
}

describe("convergence (docs/model.md)", () => {
  it("every permutation with duplicates yields the in-order connections, current connection, statuses, flapping, subscriptions and timeline", () => {
    fc.assert(
      fc.property(
        receivedHistory.chain((h) =>
          deliveryArbitrary(h.received).map((delivery) => ({ ...h, delivery })),
        ),
        ({ events, receivedAt, received, delivery }) => {
          const nows = readTimes(events, receivedAt);
          expect(snapshot(delivery, nows)).toEqual(snapshot(received, nows));
        },
      ),
      { numRuns: runs(500) },
    );
  });

  it("converges with a coarse clock too (equal timestamps everywhere exercise every tie-break)", () => {
    // 1-min resolution, ±1 min jitter: still within the ±2 min AWS accuracy.
    const coarse = historyArbitrary({ jitterMs: MINUTE, timestampGranularityMs: MINUTE });
    fc.assert(
      fc.property(
        coarse.chain((events) =>
          deliveryArbitrary(events).map((delivery) => ({ events, delivery })),
        ),
        ({ events, delivery }) => {
          const receivedAt = latestTimestamp(events) + MINUTE;
          const nows = readTimes(events, receivedAt);
          expect(snapshot(receivedInOrder(delivery, receivedAt), nows)).toEqual(
            snapshot(receivedInOrder(events, receivedAt), nows),
          );
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("reversed delivery, and every event delivered twice, converge too", () => {
    fc.assert(
      fc.property(receivedHistory, ({ events, receivedAt, received }) => {
        const nows = readTimes(events, receivedAt);
        const expected = snapshot(received, nows);
        expect(snapshot([...received].reverse(), nows)).toEqual(expected);
        expect(snapshot([...received, ...received.map((r) => structuredClone(r))], nows)).toEqual(
          expected,
        );
      }),
      { numRuns: runs(200) },
    );
  });

  it("with a real server clock (each copy received at its own time), everything converges once the grace period is over", () => {
    fc.assert(
      fc.property(
        receivedHistory.chain((h) =>
          deliveryArbitrary(h.received).map((delivery) => ({ ...h, delivery })),
        ),
        ({ events, receivedAt, delivery }) => {
          // Copy i of the delivery is received 100 ms after copy i-1: the first
          // receipt of a disconnect depends on the order, so only `pending` may differ.
          const stamped = (list: readonly ReceivedEvent[]) =>
            list.map((r, i) => ({ event: r.event, receivedAt: receivedAt + i * 100 }));
          const lastReceipt = receivedAt + delivery.length * 100;
          const nows = [lastReceipt + GRACE, lastReceipt + 60 * MINUTE];
          const inOrder = foldEvents(stamped(receivedInOrder(events, 0)));
          const shuffled = foldEvents(stamped(delivery));
          const strip = (s: Snapshot) =>
            s.clients.map((c) => ({
              ...c,
              connections: c.connections.map((x) => ({ ...x, disconnectReceivedAt: null })),
              summaries: c.summaries.map((x) => ({
                ...x,
                current: x.current && { ...x.current, disconnectReceivedAt: null },
                timeline: x.timeline.map((t) => ({ ...t, disconnectReceivedAt: null })),
              })),
            }));
          expect(strip(snapshotOf(shuffled, nows))).toEqual(strip(snapshotOf(inOrder, nows)));
          for (const c of snapshotOf(shuffled, nows).clients) {
            for (const s of c.summaries) expect(s.status).not.toBe("pending");
          }
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

describe("idempotence", () => {
  it("applying an event twice equals applying it once", () => {
    fc.assert(
      fc.property(receivedHistory, ({ events, receivedAt, received }) => {
        const nows = readTimes(events, receivedAt);
        const twice = received.flatMap((r) => [r, structuredClone(r)]);
        expect(snapshot(twice, nows)).toEqual(snapshot(received, nows));
      }),
      { numRuns: runs(300) },
    );
  });

  it("replaying a whole history into its own result changes nothing (receipts keep the first)", () => {
    fc.assert(
      fc.property(receivedHistory, ({ events, receivedAt, received }) => {
        const nows = readTimes(events, receivedAt);
        const clients = foldEvents(received);
        const before = snapshotOf(clients, nows);
        for (const r of received) {
          const history = clients.get(r.event.clientId) ?? emptyHistory(r.event.clientId);
          // A later re-delivery: its receipt time must not restart the grace period.
          applyEvent(history, { event: r.event, receivedAt: r.receivedAt + 10 * MINUTE });
        }
        expect(snapshotOf(clients, nows)).toEqual(before);
      }),
      { numRuns: runs(200) },
    );
  });
});

describe("invariants of the derived model", () => {
  it("current connection, status, since, subscriptions and timeline are consistent at any read time", () => {
    fc.assert(
      fc.property(
        receivedHistory,
        fc.integer({ min: -30 * MINUTE, max: 30 * MINUTE }),
        ({ receivedAt, received }, nowOffset) => {
          const now = receivedAt + nowOffset;
          for (const history of foldEvents(received).values()) {
            const connections = [...history.connections.values()];
            const s = summarize(history, now, CONFIG);

            // The current connection is one of the stored connections.
            if (connections.length === 0) expect(s.current).toBeUndefined();
            else expect(connections).toContainEqual(s.current);

            // Status: online exactly when the current connection has no disconnect.
            if (s.current === undefined || s.current.disconnectedAt !== null) {
              expect(s.status).not.toBe("online");
            } else {
              expect(s.status).toBe("online");
            }
            if (s.status === "pending") {
              const c = s.current as Connection;
              const receivedAtFirst = c.disconnectReceivedAt as number;
              expect(now).toBeLessThan(receivedAtFirst + GRACE);
              expect(now).toBeLessThan(
                (c.disconnectedAt as number) + GRACE + TIMESTAMP_TOLERANCE_MS,
              );
            }
            expect(s.since).toBe(statusSince(s.current));
            if (s.status === "online") expect(s.since).toBe(s.current?.connectedAt);

            // Subscriptions: sorted, unique, each one subscribed in the current session.
            expect(s.subscriptions).toEqual([...new Set(s.subscriptions)].sort(compareStrings));
            for (const topic of s.subscriptions) {
              const state = history.subscriptions.get(topic);
              expect(state?.eventType).toBe("subscribed");
              expect(state?.sessionIdentifier).toBe(s.current?.sessionIdentifier);
            }

            // Timeline: every connection once, oldest first, inferred ends only where allowed.
            expect(s.timeline.length).toBe(connections.length);
            const currentKey = s.current && connectionKey(s.current);
            for (const [i, t] of s.timeline.entries()) {
              const next = s.timeline[i + 1];
              if (next !== undefined) expect(compareConnections(t, next)).toBeLessThan(0);
              const isCurrent = connectionKey(t) === currentKey;
              expect(t.endInferred).toBe(t.disconnectedAt === null && !isCurrent);
              if (t.disconnectedAt !== null) expect(t.endedAt).toBe(t.disconnectedAt);
              else if (isCurrent) expect(t.endedAt).toBeNull();
              else
                expect(t.endedAt).toBe(
                  next === undefined ? connectionTime(t) : connectionTime(next),
                );
              // Only the current connection is open-ended.
              if (!isCurrent) expect(t.endedAt).not.toBeNull();
              if (t.endInferred) expect(t.endedAt).toBeGreaterThanOrEqual(connectionTime(t));
            }
            // No event means no receipt: each disconnect has been received.
            for (const c of connections) {
              expect(c.disconnectedAt === null).toBe(c.disconnectReceivedAt === null);
              expect(c.connectedAt !== null || c.disconnectedAt !== null).toBe(true);
            }
          }
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it("status only moves forward in time: online stays online; pending turns offline and stays so", () => {
    fc.assert(
      fc.property(
        receivedHistory,
        fc.array(fc.integer({ min: -5 * MINUTE, max: 10 * MINUTE }), {
          minLength: 2,
          maxLength: 8,
        }),
        ({ receivedAt, received }, offsets) => {
          const nows = offsets.map((o) => receivedAt + o).sort((a, b) => a - b);
          for (const history of foldEvents(received).values()) {
            const statuses = nows.map((now) => summarize(history, now, CONFIG).status);
            for (let i = 1; i < statuses.length; i++) {
              const before = statuses[i - 1] as PresenceStatus;
              const after = statuses[i] as PresenceStatus;
              if (before === "online") expect(after).toBe("online");
              else expect(statusRank(after)).toBeGreaterThanOrEqual(statusRank(before));
            }
          }
        },
      ),
      { numRuns: runs(200) },
    );
  });
});

/** Oracle: what really happened, before jitter, must be what the model shows. */
function lastRealConnection(scenario: Scenario, clientId: string) {
  const client = scenario.clients.find((c) => c.clientId === clientId);
  return client?.connections.reduce<(typeof client.connections)[number] | undefined>(
    (last, c) => (last === undefined || c.realStart > last.realStart ? c : last),
    undefined,
  );
}

/** A scenario and any delivery of its events, received in order at its end. */
const scenarioDelivery = scenarioArbitrary().chain((scenario) =>
  deliveryArbitrary(receivedInOrder(scenario.events, scenario.endsAt)).map((delivery) => ({
    scenario,
    delivery,
  })),
);

describe("oracle: the model recovers the real state despite ±2 min timestamps", () => {
  it("the current connection is the one that really connected last, in any delivery order", () => {
    fc.assert(
      fc.property(scenarioDelivery, ({ scenario, delivery }) => {
        const clients = foldEvents(delivery);
        expect([...clients.keys()].sort(compareStrings)).toEqual(
          scenario.clients.map((c) => c.clientId).sort(compareStrings),
        );
        for (const history of clients.values()) {
          const truth = lastRealConnection(scenario, history.clientId);
          const current = currentConnection(
            [...history.connections.values()],
            CONFIG.versionResetWindowMs,
          );
          expect(current && [current.sessionIdentifier, current.versionNumber]).toEqual(
            truth && [truth.sessionIdentifier, truth.versionNumber],
          );

          // Long after the end: online exactly when the last disconnect never came.
          const later = scenario.endsAt + 24 * 60 * MINUTE;
          const expected: PresenceStatus =
            truth === undefined || truth.disconnectEmitted ? "offline" : "online";
          expect(presenceStatus(current, later, CONFIG)).toBe(expected);

          // Right at receipt: a fresh last disconnect is pending, an old one offline at once.
          if (
            truth?.disconnectEmitted &&
            current !== undefined &&
            current.disconnectedAt !== null
          ) {
            const fresh = scenario.endsAt < current.disconnectedAt + GRACE + TIMESTAMP_TOLERANCE_MS;
            expect(presenceStatus(current, scenario.endsAt, CONFIG)).toBe(
              fresh ? "pending" : "offline",
            );
            expect(pendingUntil(current, CONFIG)).toBeLessThanOrEqual(scenario.endsAt + GRACE);
          }
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it("without jitter, current subscriptions are what the current session really subscribed and kept", () => {
    fc.assert(
      fc.property(scenarioArbitrary({ jitterMs: 0 }), fc.nat(), (scenario, seed) => {
        // Any order: reverse or rotate the in-order history.
        const inOrder = receivedInOrder(scenario.events, scenario.endsAt);
        const cut = seed % (inOrder.length + 1);
        const rotated = [...inOrder.slice(cut), ...inOrder.slice(0, cut)].reverse();
        for (const history of foldEvents(rotated).values()) {
          const truth = lastRealConnection(scenario, history.clientId);
          const subscribed = new Set<string>();
          for (const e of scenario.events) {
            if (e.clientId !== history.clientId) continue;
            if (truth === undefined || e.sessionIdentifier !== truth.sessionIdentifier) continue;
            for (const topic of e.topics ?? []) {
              if (e.eventType === "subscribed") subscribed.add(topic);
              if (e.eventType === "unsubscribed") subscribed.delete(topic);
            }
          }
          expect(summarize(history, scenario.endsAt, CONFIG).subscriptions).toEqual(
            [...subscribed].sort(compareStrings),
          );
        }
      }),
      { numRuns: runs(300) },
    );
  });

  it("failed attempts are counted once each and open no connection", () => {
    fc.assert(
      fc.property(scenarioDelivery, ({ scenario, delivery }) => {
        for (const history of foldEvents(delivery).values()) {
          const own = scenario.events.filter((e) => e.clientId === history.clientId);
          // Identical events are one event (the database stores them once).
          const distinct = new Set(
            own.filter((e) => e.eventType === "connect_failed").map((e) => JSON.stringify(e)),
          );
          expect(history.failedAttempts).toBe(distinct.size);
          const truth = scenario.clients.find((c) => c.clientId === history.clientId);
          expect(history.connections.size).toBe(truth?.connections.length);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});
