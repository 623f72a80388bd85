import { describe, expect, it } from "vitest";
import { formatShare } from "./number";

describe("formatShare", () => {
  it.each([
    [0, 100, "0 %"],
    [45.4, 100, "45 %"],
    [100, 100, "100 %"],
    [9.94, 100, "9.9 %"],
    [5 * 60, 7 * 86_400, "0.05 %"], // five minutes of a week: not "0 %"
    [12 * 60, 7 * 86_400, "0.12 %"],
    [1, 7 * 86_400, "< 0.01 %"],
    [1, 0, "0 %"],
  ])("%d of %d is %s", (part, whole, expected) => {
    expect(formatShare(part, whole)).toBe(expected);
  });
});
