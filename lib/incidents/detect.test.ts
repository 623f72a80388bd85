// The incident detector is derived like status: any permutation, duplication
// and batching of a history's events yields the incidents of in-order delivery.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { massDisconnectArbitrary } from "../../test/support/incident-arbitraries";
import {
  deliveryArbitrary,
  latestTimestamp,
  lifecycleEvent,
  receivedInOrder,
} from "../../test/support/presence-arbitraries";
import { applyEvent, emptyHistory, foldEvents, type ClientHistory } from "../presence/fold";
import { DEFAULT_PRESENCE_CONFIG, type LifecycleEvent } from "../presence/types";
import { DEFAULT_INCIDENT_CONFIG, type IncidentConfig } from "./config";
import { crossings, type DetectedIncident, type DisconnectPoint, type HotWindow } from "./detect";
import { detectIncidents, inputsFromConnections } from "./reference";
import { runs } from "@/test/support/runs";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const W = DEFAULT_PRESENCE_CONFIG.versionResetWindowMs;

const configArbitrary: fc.Arbitrary<IncidentConfig> = fc.record({
  windowMs: fc.constantFrom(10 * SECOND, 60 * SECOND, 5 * MINUTE),
  minClients: fc.integer({ min: 1, max: 8 }),
  minShare: fc.constantFrom(0, 0.05, 0.3, 0.6, 1),
  maxOpenMs: fc.constantFrom(2 * MINUTE, 60 * MINUTE),
});

function incidentsOf(
  clients: Map<string, ClientHistory>,
  config: IncidentConfig,
  now: number,
): DetectedIncident[] {
  const inputs = inputsFromConnections(
    [...clients.values()].map((h) => [...h.connections.values()]),
    W,
  );
  return detectIncidents(inputs, config, now);
}

function fromEvents(events: readonly LifecycleEvent[], config: IncidentConfig, now: number) {
  return incidentsOf(foldEvents(receivedInOrder(events, now)), config, now);
}

function nowOf(events: readonly LifecycleEvent[], at: number, offset: number): number {
  return at % 4 === 0 ? latestTimestamp(events) + offset : (events[at]?.timestamp ?? 0) + offset;
}

const scenario = massDisconnectArbitrary().chain((events) =>
  fc.record({
    events: fc.constant(events),
    delivery: deliveryArbitrary(events, { maxDuplicates: 10 }),
    config: configArbitrary,
    // "now" near some event of the history (often inside a burst), or well after all of them.
    nowAt: fc.nat({ max: events.length - 1 }),
    nowOffset: fc.integer({ min: -MINUTE, max: 3 * 60 * MINUTE }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 10 }),
  }),
);

describe("incident detection is independent of arrival", () => {
  it("any permutation with duplicates gives the in-order incidents", () => {
    const RUNS = runs(300);
    let withIncidents = 0;
    let open = 0;
    fc.assert(
      fc.property(scenario, ({ events, delivery, config, nowAt, nowOffset }) => {
        const now = nowOf(events, nowAt, nowOffset);
        const expected = fromEvents(events, config, now);
        if (expected.length > 0) withIncidents += 1;
        if (expected.some((i) => i.endedAt === null)) open += 1;
        expect(fromEvents(delivery, config, now)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    // The generator must exercise the detector: many runs find incidents
    // (about two in five on average), some still open.
    expect(withIncidents).toBeGreaterThan(RUNS / 5);
    expect(open).toBeGreaterThan(RUNS / 60);
  });

  it("the detector itself ignores the order of its disconnects (the database loads them in any order)", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ events, config, nowAt, nowOffset }, seed) => {
        const now = nowOf(events, nowAt, nowOffset);
        const clients = foldEvents(receivedInOrder(events, now));
        const inputs = inputsFromConnections(
          [...clients.values()].map((h) => [...h.connections.values()]),
          W,
        );
        // A seeded shuffle: fast-check's shrinking stays on the history.
        const shuffled = [...inputs.disconnects];
        let x = seed || 1;
        for (let i = shuffled.length - 1; i > 0; i -= 1) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const j = x % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(detectIncidents({ ...inputs, disconnects: shuffled }, config, now)).toEqual(
          detectIncidents(inputs, config, now),
        );
      }),
      { numRuns: runs(200) },
    );
  });

  it("any batching (detection rerun after each batch) ends with the in-order incidents", () => {
    fc.assert(
      fc.property(scenario, ({ events, delivery, config, nowAt, nowOffset, batchSizes }) => {
        const now = nowOf(events, nowAt, nowOffset);
        const clients = new Map<string, ClientHistory>();
        let last: DetectedIncident[] = [];
        for (let i = 0, k = 0; i < delivery.length; k += 1) {
          const size = batchSizes[k % batchSizes.length] as number;
          for (const event of delivery.slice(i, i + size)) {
            const h = clients.get(event.clientId) ?? emptyHistory(event.clientId);
            clients.set(event.clientId, h);
            applyEvent(h, { event, receivedAt: now });
          }
          i += size;
          last = incidentsOf(clients, config, now);
        }
        expect(last).toEqual(fromEvents(events, config, now));
      }),
      { numRuns: runs(150) },
    );
  });

  it("incidents are ordered, disjoint, and each meets the thresholds", () => {
    fc.assert(
      fc.property(scenario, ({ events, config, nowAt, nowOffset }) => {
        const now = nowOf(events, nowAt, nowOffset);
        const incidents = fromEvents(events, config, now);
        for (const [i, inc] of incidents.entries()) {
          expect(inc.clients.length).toBeGreaterThanOrEqual(config.minClients);
          expect(new Set(inc.clients.map((c) => c.clientId)).size).toBe(inc.clients.length);
          expect(inc.reconnectedClients).toBeLessThanOrEqual(inc.clients.length);
          expect(Object.values(inc.reasons).reduce((a, b) => a + b, 0)).toBe(inc.clients.length);
          for (const c of inc.clients) {
            expect(c.disconnectedAt).toBeGreaterThanOrEqual(inc.startedAt);
            expect(c.disconnectedAt).toBeLessThanOrEqual(inc.burstEndAt);
          }
          expect(inc.burstEndAt).toBeLessThan(inc.lastHotAt + config.windowMs);
          if (inc.endedAt !== null) expect(inc.endedAt).toBeGreaterThanOrEqual(inc.burstEndAt);
          const next = incidents[i + 1];
          if (next) expect(next.startedAt).toBeGreaterThanOrEqual(inc.lastHotAt + config.windowMs);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});

// Exact figures on a hand-built fleet: `online` devices connected at T0,
// `dropped` of them lose their connection within a few seconds at T1.
const T0 = 1_780_000_000_000;
const T1 = T0 + 10 * MINUTE;

function fleet(online: number, dropped: number, backAfterMs: (i: number) => number | null) {
  const events: LifecycleEvent[] = [];
  for (let i = 0; i < online; i += 1) {
    const clientId = `d${String(i).padStart(3, "0")}`;
    const ev = (eventType: "connected" | "disconnected", timestamp: number, v: number) =>
      lifecycleEvent({
        eventType,
        clientId,
        timestamp,
        sessionIdentifier: "s",
        principalIdentifier: "p",
        versionNumber: v,
      });
    events.push(ev("connected", T0, 1));
    if (i >= dropped) continue;
    const at = T1 + i * 100;
    events.push({ ...ev("disconnected", at, 1), disconnectReason: "CONNECTION_LOST" });
    const back = backAfterMs(i);
    if (back !== null) events.push(ev("connected", at + back, 2));
  }
  return events;
}

describe("the definition, by example (defaults: 60 s, 20 clients, 5 %, 1 h)", () => {
  const config = DEFAULT_INCIDENT_CONFIG;
  it("20 of 50 dropping within seconds is one incident; it ends when most are back", () => {
    const events = fleet(50, 20, (i) => 20 * SECOND + i * SECOND);
    const [incident, ...rest] = fromEvents(events, config, T1 + 2 * MINUTE);
    expect(rest).toEqual([]);
    expect(incident?.startedAt).toBe(T1);
    expect(incident?.clients.length).toBe(20);
    expect(incident?.reasons).toEqual({ CONNECTION_LOST: 20 });
    expect(incident?.reconnectedClients).toBe(20);
    // The 11th client back (more than half of 20): dropped at T1 + 1 s, back 30 s later.
    expect(incident?.endedAt).toBe(T1 + 10 * 100 + 20 * SECOND + 10 * SECOND);
  });

  it("stays open while the burst could go on, and while most are not back", () => {
    const events = fleet(50, 20, (i) => (i < 10 ? 5 * SECOND : null));
    expect(fromEvents(events, config, T1 + 30 * SECOND)[0]?.endedAt).toBeNull();
    // Half back is not most: open until the hour has passed.
    expect(fromEvents(events, config, T1 + 59 * MINUTE)[0]?.endedAt).toBeNull();
    expect(fromEvents(events, config, T1 + 61 * MINUTE)[0]?.endedAt).toBe(T1 + 60 * MINUTE);
  });

  it("a sharp outage after a minute of churn starts at the outage, with the outage's clients only", () => {
    // 50 online; 10 others drop one by one in the 50 s before 25 drop at once.
    const churn = fleet(60, 0, () => null).concat(
      Array.from({ length: 10 }, (_, i) => ({
        ...fleet(1, 1, () => null)[1]!,
        clientId: `d${String(50 + i).padStart(3, "0")}`,
        timestamp: T1 + 10 * SECOND + i * 5 * SECOND,
      })),
    );
    const outage = T1 + 60 * SECOND;
    const events = churn.concat(
      fleet(25, 25, () => 10 * SECOND).flatMap((e) =>
        e.eventType === "disconnected" ? [{ ...e, timestamp: outage }] : [],
      ),
    );
    const [incident, ...rest] = fromEvents(events, config, outage + 5 * MINUTE);
    expect(rest).toEqual([]);
    expect(incident?.startedAt).toBe(outage);
    expect(incident?.burstEndAt).toBe(outage);
    expect(incident?.clients.map((c) => c.clientId)).toEqual(
      Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(3, "0")}`),
    );
  });

  it("19 clients are not enough; 20 of 1,000 online are not 5 %", () => {
    /** The incidents a minute on, when `dropped` of `online` clients drop, each back a second later. */
    const after = (online: number, dropped: number) =>
      fromEvents(
        fleet(online, dropped, () => SECOND),
        config,
        T1 + MINUTE,
      );
    expect(after(50, 19)).toEqual([]);
    expect(after(1000, 20)).toEqual([]);
    expect(after(400, 20)).toHaveLength(1);
  });
});

describe("a hot window's crossing", () => {
  /** The definition, scanned plainly: the first instant from the window's start at which its distinct clients reach the threshold. */
  function crossingByScan(sorted: readonly DisconnectPoint[], w: HotWindow): number {
    const seen = new Set<string>();
    for (let i = w.from; i < sorted.length; i += 1) {
      const p = sorted[i] as DisconnectPoint;
      seen.add(p.clientId);
      if (sorted[i + 1]?.disconnectedAt === p.disconnectedAt) continue;
      if (seen.size >= w.threshold) return p.disconnectedAt;
    }
    return w.at;
  }

  it("is the scan's answer for every window, computed for all at once", () => {
    const point = fc.record({
      client: fc.integer({ min: 0, max: 12 }),
      at: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 1, maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 15 }))),
        (raw, picks) => {
          const sorted = raw
            .map(({ client, at }) => ({ ...onePoint(`c${client}`), disconnectedAt: at }))
            .sort((a, b) => a.disconnectedAt - b.disconnectedAt);
          // Windows start at the first point of an instant, in the order of their starts.
          const starts = sorted.flatMap((p, i) =>
            i === 0 || sorted[i - 1]?.disconnectedAt !== p.disconnectedAt ? [i] : [],
          );
          const hot = [...new Set(picks.map(([k]) => starts[k % starts.length] as number))]
            .sort((a, b) => a - b)
            .map((from, i) => ({
              at: (sorted[from] as DisconnectPoint).disconnectedAt,
              from,
              threshold: (picks[i] as [number, number])[1],
            }));
          expect(crossings(sorted, hot)).toEqual(hot.map((w) => crossingByScan(sorted, w)));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

function onePoint(clientId: string): DisconnectPoint {
  return {
    clientId,
    sessionIdentifier: "s",
    versionNumber: 1,
    connTime: 0,
    disconnectedAt: 0,
    reason: null,
    principalIdentifier: null,
    ipAddress: null,
  };
}
