import { describe, expect, it } from "vitest";
import { nextAttemptAt, retryDelayMs } from "./backoff";
import { isPrivateAddress, checkTargetUrl } from "./ssrf";
import { globToLike, globToRegExp, matchesSelector } from "./selector";

describe("retry backoff", () => {
  it("doubles per failed attempt, between half and all of the step, capped at an hour", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.999_999))).toEqual([
      10_000, 20_000, 40_000, 80_000,
    ]);
    expect(retryDelayMs(30, 0.5)).toBe(2_700_000);
  });

  it("gives up once the next attempt would fall past the retry limit (24 h by default)", () => {
    const day = 86_400_000;
    expect(nextAttemptAt(0, day - 3_600_000, 20, day, 0)).toBe(day - 1_800_000);
    expect(nextAttemptAt(0, day - 1_000, 20, day, 0)).toBeNull();
  });
});

describe("SSRF guard", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["::1", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", true],
    ["8.8.8.8", false],
    ["2606:4700::1111", false],
    ["::ffff:8.8.8.8", false],
  ])("%s private: %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it("checks channel URLs when they are saved", () => {
    expect(() => checkTargetUrl("ftp://example.com/x", false)).toThrow(
      "url: only http and https URLs are allowed.",
    );
    expect(() => checkTargetUrl("http://user:pw@example.com/", false)).toThrow("credentials");
    expect(() => checkTargetUrl("http://127.0.0.1:8080/", false)).toThrow(
      /loopback and private addresses are refused/,
    );
    expect(() => checkTargetUrl("http://localhost/", false)).toThrow(/loopback/);
    expect(() => checkTargetUrl("http://[::1]/", false)).toThrow(/loopback/);
    expect(checkTargetUrl("http://127.0.0.1:8080/", true).port).toBe("8080");
    expect(checkTargetUrl("https://hooks.example.com/x", false).hostname).toBe("hooks.example.com");
  });
});

describe("selector globs", () => {
  it("match * and ? and nothing else specially, in JS and as LIKE", () => {
    expect(globToRegExp("dev-*").test("dev-1/a")).toBe(true);
    expect(globToRegExp("dev-?").test("dev-12")).toBe(false);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToLike("50%_off\\*")).toBe("50\\%\\_off\\\\%");
    expect(matchesSelector({ clientIdPattern: "x*" }, "y1")).toBe(false);
    expect(matchesSelector({ labels: { site: "b" } }, "y1", { site: "b" })).toBe(true);
  });
});
