// The online chart agrees with the pure model: for any history ingested
// through the real ingest path, every sample of onlineHistory (which counts
// spans per (start sample, end sample) pair in SQL) equals a brute-force count
// over the model's timelines, where a connection is online at t when
// start <= t < end and ends follow the timeline rules (the disconnect; for a
// non-current connection that lost it, the next connection's time, or its own
// when none follows; the current open connection has no end).
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { ingest } from "../ingest";
import { parseItems } from "../ingest/parse";
import {
  deliveryArbitrary,
  historyArbitrary,
  latestTimestamp,
  receivedInOrder,
} from "../../test/support/presence-arbitraries";
import { currentConnection } from "../presence/current";
import { foldEvents } from "../presence/fold";
import { timeline } from "../presence/timeline";
import type { LifecycleEvent } from "../presence/types";
import { resetDatabase } from "../../test/support/db";
import {
  connected,
  disconnected,
  envelope,
  type Payload,
  eventEnvelope,
} from "../../test/support/events";
import { onlineHistory } from "./online-history";
import { HISTORY_RANGES, type HistoryRange, type OnlinePoint } from "./schemas";
import { runs } from "@/test/support/runs";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RANGES = Object.keys(HISTORY_RANGES) as HistoryRange[];

// A fixed read time on a whole hour, so every sample instant of both ranges
// falls on a whole minute: events of a 1-minute clock then often land exactly
// on a sample, where the start <= t < end boundaries are decided.
const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const DAY = HISTORY_RANGES["24h"];
const FROM = NOW - DAY.spanMs;
const STEP = DAY.stepMs;
const STEPS = Math.round(DAY.spanMs / STEP);

/** The chart by brute force: every sample against every timeline span of the model. */
function bruteForce(
  events: readonly LifecycleEvent[],
  range: HistoryRange,
  now: number,
): OnlinePoint[] {
  const { spanMs, stepMs } = HISTORY_RANGES[range];
  const from = now - spanMs;
  const { versionResetWindowMs } = presenceConfig();
  const spans = [...foldEvents(receivedInOrder(events, now)).values()].flatMap((history) => {
    const connections = [...history.connections.values()];
    return timeline(connections, currentConnection(connections, versionResetWindowMs));
  });
  const points: OnlinePoint[] = [];
  for (let k = 0; k <= Math.round(spanMs / stepMs); k += 1) {
    const t = from + k * stepMs;
    const online = spans.filter(
      (c) => c.connectedAt !== null && c.connectedAt <= t && (c.endedAt === null || t < c.endedAt),
    ).length;
    points.push({ at: new Date(t).toISOString(), online });
  }
  return points;
}

async function expectChartMatchesModel(events: readonly LifecycleEvent[]) {
  for (const range of RANGES) {
    const chart = await onlineHistory({ range }, new Date(NOW));
    const expected = bruteForce(events, range, NOW);
    expect(chart.to).toBe(new Date(NOW).toISOString());
    expect(chart.points.map((p) => p.at)).toEqual(expected.map((p) => p.at));
    // Only the samples that differ: a whole series would be truncated in the failure message.
    const wrong = chart.points.flatMap((p, k) => {
      const model = expected[k]!.online;
      return p.online === model
        ? []
        : [`${range} #${k} ${p.at}: chart ${p.online}, model ${model}`];
    });
    expect(wrong).toEqual([]);
  }
}

/** Ingests payloads (already in envelope form) as one batch received at `receivedAt`. */
async function ingestAll(envelopes: unknown[], receivedAt: number) {
  const result = await ingest(JSON.stringify(envelopes), new Date(receivedAt));
  expect(result.rejected).toEqual([]);
}

/** Every event moved by `by` ms: the history's shape (order, gaps, ties) is kept. */
function shift(events: readonly LifecycleEvent[], by: number): LifecycleEvent[] {
  return events.map((e) => ({ ...e, timestamp: e.timestamp + by }));
}

/** Every event within `radiusMs` of a sample instant (of the 24 h grid, extended both ways) moved onto it. */
function snapToSamples(events: readonly LifecycleEvent[], radiusMs: number): LifecycleEvent[] {
  if (radiusMs === 0) return [...events];
  return events.map((e) => {
    const nearest = FROM + Math.round((e.timestamp - FROM) / STEP) * STEP;
    return Math.abs(e.timestamp - nearest) <= radiusMs ? { ...e, timestamp: nearest } : e;
  });
}

const HISTORY = { maxClients: 4, maxConnectionsPerClient: 6 };

/**
 * A history placed around the 24 h window: one of its events (the anchor) is
 * moved to a sample instant (some before `from`, some after `to`), exactly or
 * off by a nudge. The rest of the history spreads from there, often across
 * days, so spans start before `from`, end after `to`, or sit in between. Some
 * connects are lost, leaving connections known only by their disconnect.
 */
const windowedHistory = fc
  .record({
    clock: fc.oneof(
      fc.record({ events: historyArbitrary(HISTORY), snapMs: fc.constant(0) }),
      // Whole-minute timestamps: some events land exactly on sample instants, many tie.
      fc.record({
        events: historyArbitrary({ ...HISTORY, timestampGranularityMs: MINUTE }),
        snapMs: fc.constant(0),
      }),
      // Many events exactly on sample instants: 30 s of jitter plus a 90 s snap
      // stays within the 2-min timestamp accuracy the model relies on.
      fc.record({
        events: historyArbitrary({ ...HISTORY, jitterMs: 30_000 }),
        snapMs: fc.constant(90_000),
      }),
    ),
    anchor: fc.nat(),
    // The window's own edges (`from`, `now`) often; any sample, inside or a little outside, otherwise.
    sample: fc.oneof(fc.constantFrom(0, STEPS), fc.integer({ min: -8, max: STEPS + 8 })),
    nudge: fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      { arbitrary: fc.constantFrom(-1, 1), weight: 1 },
      { arbitrary: fc.integer({ min: -15, max: 15 }).map((m) => m * MINUTE), weight: 1 },
      { arbitrary: fc.integer({ min: -STEP, max: STEP }), weight: 1 },
    ),
    lostConnects: fc.oneof(
      { arbitrary: fc.constant<number[]>([]), weight: 2 },
      { arbitrary: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }), weight: 1 },
    ),
  })
  .map(({ clock: { events, snapMs }, anchor, sample, nudge, lostConnects }) => {
    // Anchor a connect or a disconnect (subscription events start and end nothing).
    const presence = events.filter(
      (e) => e.eventType === "connected" || e.eventType === "disconnected",
    );
    const anchors = presence.length > 0 ? presence : events;
    const at = anchors[anchor % anchors.length]!.timestamp;
    const placed = snapToSamples(shift(events, FROM + sample * STEP + nudge - at), snapMs);
    const connects = placed.filter((e) => e.eventType === "connected");
    const lost = new Set(lostConnects.map((i) => connects[i % Math.max(1, connects.length)]));
    return placed.filter((e) => !lost.has(e));
  });

beforeEach(resetDatabase);

describe("onlineHistory ↔ model", () => {
  it("every sample equals the brute-force count over the model's timelines, for any delivery", async () => {
    await fc.assert(
      fc.asyncProperty(
        windowedHistory.chain((events) =>
          fc.tuple(fc.constant(events), deliveryArbitrary(events, { maxDuplicates: 4 })),
        ),
        async ([events, delivery]) => {
          await resetDatabase();
          // Received after every event, so none is refused as too far in the future.
          await ingestAll(
            delivery.map(eventEnvelope),
            Math.max(NOW, latestTimestamp(events)) + 1_000,
          );
          await expectChartMatchesModel(events);
        },
      ),
      { numRuns: runs(100) },
    );
    // ~10 s when it passes; the margin is for shrinking a failure (each step is
    // a database round trip), which must not be abandoned mid-run by a timeout
    // and keep writing into the next test's database.
  }, 300_000);

  describe("edge cases", () => {
    const sample = (k: number) => FROM + k * STEP;
    /** The 24 h series as numbers, sample 0 (`from`) to sample STEPS (`now`). */
    const series = (online: (k: number) => number) =>
      Array.from({ length: STEPS + 1 }, (_, k) => online(k));

    async function check(payloads: Payload[], expected: number[]) {
      const envelopes = payloads.map(envelope);
      await ingestAll(envelopes, NOW);
      const chart = await onlineHistory({ range: "24h" }, new Date(NOW));
      expect(chart.points.map((p) => p.online)).toEqual(expected);
      // The property's oracle reads these cases the same way.
      const events = parseItems(envelopes, NOW).accepted.map((a) => a.event);
      expect(bruteForce(events, "24h", NOW).map((p) => p.online)).toEqual(expected);
    }

    it("a span starting exactly on a sample counts there; ending exactly on one, not there", async () => {
      await check(
        [connected("a", sample(4), 1), disconnected("a", sample(8), 1)],
        series((k) => (k >= 4 && k < 8 ? 1 : 0)),
      );
    });

    it("a span starting or ending 1 ms after a sample counts from the next sample, up to that one", async () => {
      await check(
        [connected("a", sample(4) + 1, 1), disconnected("a", sample(8) + 1, 1)],
        series((k) => (k >= 5 && k <= 8 ? 1 : 0)),
      );
    });

    it("a lost disconnect ends at the reconnect: never counted twice", async () => {
      await check(
        [
          connected("a", sample(2), 1),
          // v1's disconnect was lost; v2 ends it.
          connected("a", sample(6), 2),
          disconnected("a", sample(10) + 1, 2),
        ],
        series((k) => (k >= 2 && k <= 10 ? 1 : 0)),
      );
    });

    it("a connection known only by its disconnect is never online, but ends a lost-disconnect one before it", async () => {
      await check(
        [
          // d: only ever seen disconnecting.
          disconnected("d", sample(3), 4),
          // e's v1 (from yesterday) lost its disconnect; a disconnect-only v2 ends it.
          connected("e", FROM - 3 * HOUR, 1),
          disconnected("e", sample(3), 2),
        ],
        series((k) => (k < 3 ? 1 : 0)),
      );
    });

    it("a lost disconnect followed by a reconnect in the same millisecond was never online", async () => {
      await check(
        [
          connected("a", sample(2), 1),
          connected("a", sample(2), 2),
          disconnected("a", sample(5), 2),
        ],
        series((k) => (k >= 2 && k < 5 ? 1 : 0)),
      );
    });

    it("the window's edges: `from` and `now` are samples, with start <= t < end at both", async () => {
      await check(
        [
          // Open since before `from`.
          connected("a", FROM - 30 * HOUR, 1),
          // Ended exactly at `from`: not online there.
          connected("b", FROM - HOUR, 1),
          disconnected("b", FROM, 1),
          // Connected exactly at `now`, open or closing after it: online there.
          connected("c", NOW, 1),
          connected("d", NOW, 1),
          disconnected("d", NOW + HOUR, 1),
          // Ended exactly at `now`: not online there.
          connected("e", sample(STEPS - 1), 1),
          disconnected("e", NOW, 1),
          // After `now` (inside the ingest's future-skew allowance): not on the chart.
          connected("f", NOW + 1, 1),
        ],
        series((k) => (k === STEPS ? 3 : k === STEPS - 1 ? 2 : 1)),
      );
    });
  });
});

describe("onlineHistory's dataFrom", () => {
  beforeEach(resetDatabase);
  const history = () => onlineHistory({ range: "24h" }, new Date(NOW));

  it("is null with nothing recorded, and every sample reads 0", async () => {
    const h = await history();
    expect(h.dataFrom).toBeNull();
    expect(h.points.every((p) => p.online === 0)).toBe(true);
  });

  it("is the first sample at or after the first connection inside the range", async () => {
    const start = NOW - 2 * HOUR - 5 * MINUTE;
    await ingestAll([envelope(connected("first", start, 1))], start);
    const h = await history();
    const firstSample = FROM + Math.ceil((start - FROM) / STEP) * STEP;
    expect(h.dataFrom).toBe(new Date(firstSample).toISOString());
    expect(h.points.find((p) => p.at === h.dataFrom)!.online).toBe(1);
  });

  it("is the range's start when a connection ended before it", async () => {
    const old = NOW - 30 * HOUR;
    await ingestAll(
      [envelope(connected("old", old, 1)), envelope(disconnected("old", old + MINUTE, 1))],
      old + MINUTE,
    );
    await ingestAll([envelope(connected("new", NOW - HOUR, 1))], NOW - HOUR);
    const h = await history();
    expect(h.dataFrom).toBe(new Date(FROM).toISOString());
    expect(h.points[0]!.online).toBe(0); // a real 0: the fleet was offline then
  });
});
