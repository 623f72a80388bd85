// The settings the server checks when it starts (instrumentation.ts): each
// bad one is refused with a message naming its variable, all at once.
import { describe, expect, it } from "vitest";
import {
  checkConfig as check,
  ConfigError,
  metricsLabelKeys as keys,
  queryTimeoutMs as timeout,
} from "./config";

const checkConfig = (vars: Record<string, string>) => check(vars as NodeJS.ProcessEnv);
const metricsLabelKeys = (vars: Record<string, string>) => keys(vars as NodeJS.ProcessEnv);
const queryTimeoutMs = (vars: Record<string, string>) => timeout(vars as NodeJS.ProcessEnv);

describe("checkConfig", () => {
  it("accepts the defaults (nothing set) and good values", () => {
    expect(() => checkConfig({})).not.toThrow();
    expect(() =>
      checkConfig({ METRICS_LABEL_KEYS: "site, hw.rev,customer", OFFLINE_GRACE_SECONDS: "2.5" }),
    ).not.toThrow();
  });

  it.each([
    ["Site", "'Site' is not a label key"],
    ["site,has space", "'has space' is not a label key"],
    ["site;customer", "'site;customer' is not a label key"],
    ["-site", "'-site' is not a label key"],
    [`a${"b".repeat(63)}`, "is not a label key"],
  ])("refuses METRICS_LABEL_KEYS=%j, naming it", (value, message) => {
    let thrown: unknown;
    try {
      checkConfig({ METRICS_LABEL_KEYS: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/^Invalid configuration: METRICS_LABEL_KEYS: /);
    expect((thrown as Error).message).toContain(message);
  });

  it.each(["soon", "-1", "1.5", "3e9"])("refuses QUERY_TIMEOUT_MS=%j, naming it", (value) => {
    expect(() => checkConfig({ QUERY_TIMEOUT_MS: value })).toThrow(
      /^Invalid configuration: QUERY_TIMEOUT_MS: /,
    );
  });

  it("reads QUERY_TIMEOUT_MS: 30 s unless set, 0 for no limit", () => {
    expect(queryTimeoutMs({})).toBe(30_000);
    expect(queryTimeoutMs({ QUERY_TIMEOUT_MS: "0" })).toBe(0);
    expect(queryTimeoutMs({ QUERY_TIMEOUT_MS: "2500" })).toBe(2_500);
  });

  it("names every bad variable at once", () => {
    expect(() =>
      checkConfig({
        METRICS_LABEL_KEYS: "Bad",
        OFFLINE_GRACE_SECONDS: "soon",
        FLAP_THRESHOLD: "0",
      }),
    ).toThrow(/OFFLINE_GRACE_SECONDS: .*FLAP_THRESHOLD: .*METRICS_LABEL_KEYS: 'Bad'/);
  });

  it("reads label keys trimmed and once each", () => {
    expect(metricsLabelKeys({ METRICS_LABEL_KEYS: " site , hw.rev,site,," })).toEqual([
      "site",
      "hw.rev",
    ]);
    expect(metricsLabelKeys({})).toEqual([]);
  });
});
