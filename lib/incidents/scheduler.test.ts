import { describe, expect, it } from "vitest";
import { nextRunDelayMs, REST_PER_RUN } from "./scheduler";

describe("the incident job's pause between runs", () => {
  it.each([
    { intervalMs: 10_000, lastRunMs: 40, expected: 10_000 },
    { intervalMs: 10_000, lastRunMs: 2_500, expected: 10_000 },
    { intervalMs: 10_000, lastRunMs: 2_501, expected: 10_004 },
    { intervalMs: 10_000, lastRunMs: 15_000, expected: 60_000 },
    { intervalMs: 1_000, lastRunMs: 0, expected: 1_000 },
  ])("interval $intervalMs ms, last run $lastRunMs ms: $expected ms", (c) => {
    expect(nextRunDelayMs(c.intervalMs, c.lastRunMs)).toBe(c.expected);
  });

  it("keeps the job to at most a fifth of the time, however slow its runs", () => {
    for (const run of [1, 100, 5_000, 30_000, 600_000]) {
      const share = run / (run + nextRunDelayMs(10_000, run));
      expect(share).toBeLessThanOrEqual(1 / (REST_PER_RUN + 1));
    }
  });
});
