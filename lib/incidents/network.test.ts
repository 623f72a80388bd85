import { describe, expect, it } from "vitest";
import { networkOf } from "./network";

describe("networkOf", () => {
  it.each([
    ["192.0.2.7", "192.0.2.0/24"],
    ["10.1.2.255", "10.1.2.0/24"],
    ["2001:db8:1:2::9", "2001:db8:1::/48"],
    ["::1", "0:0:0::/48"],
    ["256.1.1.1", null],
    ["@evil", null],
    ["1:2:3", null],
    [null, null],
  ])("%s -> %s", (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });
});
