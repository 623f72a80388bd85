// The reference availability: its union of intervals against a brute-force
// count, and the definition's edges on small hand-made timelines.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { availability, unionLength } from "./availability";
import type { TimelineConnection } from "./types";

const H = 3_600_000;

function conn(start: number, end: number | null, disconnectedAt = end): TimelineConnection {
  return {
    clientId: "c",
    sessionIdentifier: "s",
    versionNumber: start,
    connectedAt: start,
    disconnectedAt,
    disconnectReceivedAt: disconnectedAt,
    disconnectReason: null,
    clientInitiatedDisconnect: null,
    principalIdentifier: null,
    ipAddress: null,
    thingName: null,
    endInferred: end !== null && disconnectedAt === null,
    endedAt: end,
  };
}

describe("unionLength", () => {
  it("counts every covered unit once (vs brute force)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))),
        (intervals) => {
          const covered = new Set<number>();
          for (const [s, e] of intervals) for (let t = s; t < e; t += 1) covered.add(t);
          expect(unionLength(intervals)).toBe(covered.size);
        },
      ),
    );
  });
});

describe("availability", () => {
  const base = { from: 0, to: 24 * H, now: 48 * H };

  it("observes from the first event and counts open connections to the end", () => {
    expect(availability({ ...base, timeline: [conn(6 * H, null)], firstEventAt: 4 * H })).toEqual({
      onlineMs: 18 * H,
      observedMs: 20 * H,
      availability: 18 / 20,
      disconnects: 0,
    });
  });

  it("cuts at now: the future is not observed", () => {
    expect(
      availability({ ...base, now: 12 * H, timeline: [conn(2 * H, null)], firstEventAt: 0 }),
    ).toEqual({ onlineMs: 10 * H, observedMs: 12 * H, availability: 10 / 12, disconnects: 0 });
  });

  it("inferred ends count as drawn; a disconnect outside the range does not", () => {
    const timeline = [conn(-2 * H, 3 * H, null), conn(3 * H, 30 * H)];
    expect(availability({ ...base, timeline, firstEventAt: -2 * H })).toEqual({
      onlineMs: 24 * H,
      observedMs: 24 * H,
      availability: 1,
      disconnects: 0,
    });
  });

  it("null when nothing was observed", () => {
    expect(availability({ ...base, timeline: [], firstEventAt: 30 * H }).availability).toBeNull();
    expect(availability({ ...base, timeline: [], firstEventAt: null }).availability).toBeNull();
  });
});
