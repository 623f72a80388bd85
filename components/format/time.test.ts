import { describe, expect, it } from "vitest";
import { relativeTime } from "./time";

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe("relativeTime", () => {
  it("says how long ago, coarsely", () => {
    expect(relativeTime(NOW - 4_400, NOW)).toBe("4 s ago");
    expect(relativeTime(NOW - 125_000, NOW)).toBe("2 min ago");
    expect(relativeTime(NOW - 3 * 3_600_000, NOW)).toBe("3 h ago");
    expect(relativeTime(NOW - 2 * 86_400_000, NOW)).toBe("2 d ago");
  });

  it("reads a time since the last tick of a stale clock as just now, not as the future", () => {
    // The row changed 2 s after `now` was last read: it happened, it is not "in 2 s".
    expect(relativeTime(NOW + 2_000, NOW, 5_000)).toBe("0 s ago");
    expect(relativeTime(NOW + 5_000, NOW, 5_000)).toBe("0 s ago");
  });

  it("still says 'in' for a time further ahead than the tick (a device clock running fast)", () => {
    expect(relativeTime(NOW + 12_000, NOW, 5_000)).toBe("in 12 s");
    expect(relativeTime(NOW + 2_000, NOW)).toBe("in 2 s");
  });
});
