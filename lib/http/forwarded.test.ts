// Which X-Forwarded-* entry the app believes (issue #14, finding 8): none
// without TRUST_PROXY; with n trusted proxies, the one the first of them
// wrote (nginx and AWS load balancers append to what the client sent).
import { describe, expect, it } from "vitest";
import { forwardedEntry } from "./forwarded";

const envOf = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;
const request = (header: string, value: string) =>
  new Request("http://fleet.test/api/auth/login", { headers: { [header]: value } });

describe("forwardedEntry", () => {
  it.each([
    { trust: undefined, value: "203.0.113.7", expected: null },
    { trust: "0", value: "203.0.113.7", expected: null },
    { trust: "yes", value: "203.0.113.7", expected: null },
    // The client sent "1.2.3.4"; the one proxy appended the address it saw.
    { trust: "1", value: "1.2.3.4, 203.0.113.7", expected: "203.0.113.7" },
    { trust: "1", value: "203.0.113.7", expected: "203.0.113.7" },
    // Two proxies: the outer one appended the client's address, the inner one the outer's.
    { trust: "2", value: "1.2.3.4, 203.0.113.7, 10.0.0.2", expected: "203.0.113.7" },
    { trust: "2", value: "203.0.113.7", expected: "203.0.113.7" },
    { trust: "1", value: "", expected: null },
  ])("TRUST_PROXY=$trust, X-Forwarded-For: $value → $expected", ({ trust, value, expected }) => {
    const env = envOf(trust === undefined ? {} : { TRUST_PROXY: trust });
    expect(forwardedEntry(request("x-forwarded-for", value), "x-forwarded-for", env)).toBe(
      expected,
    );
  });

  it("believes X-Forwarded-Host and -Proto only from trusted proxies", () => {
    const host = request("x-forwarded-host", "evil.example");
    expect(forwardedEntry(host, "x-forwarded-host", envOf({}))).toBeNull();
    expect(forwardedEntry(host, "x-forwarded-host", envOf({ TRUST_PROXY: "1" }))).toBe(
      "evil.example",
    );
    const proto = request("x-forwarded-proto", "https");
    expect(forwardedEntry(proto, "x-forwarded-proto", envOf({}))).toBeNull();
  });
});
