import { describe, expect, it } from "vitest";
import { brokerDataDirFromEnv, DEFAULT_BROKER_DATA_DIR } from "./process";

describe("brokerDataDirFromEnv", () => {
  it.each([
    // [BROKER_DATA_DIR, fallback, expected]
    [undefined, DEFAULT_BROKER_DATA_DIR, DEFAULT_BROKER_DATA_DIR],
    [undefined, null, undefined], // the benchmark broker: in memory, never the demo's directory
    ["/var/lib/broker", null, "/var/lib/broker"],
    [":memory:", DEFAULT_BROKER_DATA_DIR, undefined],
    ["", DEFAULT_BROKER_DATA_DIR, undefined],
  ] as const)("BROKER_DATA_DIR=%s with fallback %s gives %s", (value, fallback, expected) => {
    const env = (value === undefined ? {} : { BROKER_DATA_DIR: value }) as NodeJS.ProcessEnv;
    expect(brokerDataDirFromEnv(env, fallback)).toBe(expected);
  });

  it("defaults to the demo's directory", () => {
    expect(brokerDataDirFromEnv({} as NodeJS.ProcessEnv)).toBe(DEFAULT_BROKER_DATA_DIR);
  });
});
