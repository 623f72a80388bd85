// The pure parts of single sign-on: settings, claim mapping, the flow cookie
// and the `next` filter. The flow itself runs against a real provider in
// oidc.test.ts.
import { describe, expect, it } from "vitest";
import { identityFromClaims } from "./oidc-claims";
import { oidcConfig, type OidcConfig } from "./oidc-config";
import { OidcLoginError } from "./oidc-errors";
import { openFlow, sealFlow, type LoginFlow } from "./oidc-flow";
import { safeNextPath as safeNext } from "../../contract/safe-next";

const BASE = { OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "fleet" };
const config = (env: Record<string, string> = {}) => oidcConfig({ ...BASE, ...env })!;

describe("oidcConfig", () => {
  it("is off without OIDC_ISSUER", () => {
    expect(oidcConfig({})).toBeNull();
    expect(oidcConfig({ OIDC_ISSUER: " ", OIDC_CLIENT_ID: "x" })).toBeNull();
  });

  it("has defaults", () => {
    expect(config()).toMatchObject({
      clientSecret: undefined,
      redirectUrl: undefined,
      scopes: "openid profile email",
      usernameClaim: "preferred_username",
      adminGroups: [],
      allowedDomains: [],
      label: "SSO",
      allowInsecure: false,
    });
  });

  it("reads lists and trims them", () => {
    const c = config({ OIDC_ADMIN_GROUPS: " a , b,,", OIDC_ALLOWED_DOMAINS: "Example.com, x.org" });
    expect([c.adminGroups, c.allowedDomains]).toEqual([
      ["a", "b"],
      ["example.com", "x.org"],
    ]);
  });

  it("allows plain http only for a loopback provider", () => {
    expect(config({ OIDC_ISSUER: "http://127.0.0.1:9000" }).allowInsecure).toBe(true);
    expect(config({ OIDC_ISSUER: "http://localhost:9000" }).allowInsecure).toBe(true);
    expect(() => config({ OIDC_ISSUER: "http://idp.example.com" })).toThrow(
      "OIDC_ISSUER must use https (plain http only for a provider on 127.0.0.1/localhost)",
    );
  });

  it.each([
    [{ OIDC_ISSUER: "idp.example.com" }, "OIDC_ISSUER must be an absolute URL"],
    [{ OIDC_ISSUER: "ftp://idp.example.com" }, "OIDC_ISSUER must be an http(s) URL"],
    [{ OIDC_CLIENT_ID: "" }, "OIDC_CLIENT_ID is required when OIDC_ISSUER is set"],
    [
      { OIDC_REDIRECT_URL: "https://app/x" },
      "OIDC_REDIRECT_URL must end in /api/auth/oidc/callback",
    ],
    [{ OIDC_SCOPES: "profile email" }, "OIDC_SCOPES must include openid"],
    [{ OIDC_USERNAME_CLAIM: "a b" }, "OIDC_USERNAME_CLAIM must be a claim name"],
    [{ OIDC_ALLOWED_DOMAINS: "@example.com" }, "OIDC_ALLOWED_DOMAINS must be a comma-separated"],
  ])("names the bad variable: %j", (env, message) => {
    expect(() => config(env)).toThrow(message);
  });

  it("never echoes a value (the secret is one)", () => {
    expect(() =>
      oidcConfig({ OIDC_ISSUER: "http://idp.example.com", OIDC_CLIENT_SECRET: "s3cret" }),
    ).toThrow(/^(?!.*s3cret)/);
  });
});

describe("identityFromClaims", () => {
  const withGroups = config({ OIDC_ADMIN_GROUPS: "admins", OIDC_ALLOWED_DOMAINS: "example.com" });
  const iss = "https://idp.example.com";

  it("takes the username claim, then email, then sub", () => {
    const c = config();
    const base = { iss, sub: "s-1" };
    expect(
      identityFromClaims({ ...base, preferred_username: "ann", email: "a@x.io" }, c).username,
    ).toBe("ann");
    expect(identityFromClaims({ ...base, email: "a@x.io" }, c).username).toBe("a@x.io");
    expect(identityFromClaims(base, c).username).toBe("s-1");
    const upn = config({ OIDC_USERNAME_CLAIM: "upn" });
    expect(
      identityFromClaims({ ...base, upn: "ann.upn", preferred_username: "ann" }, upn).username,
    ).toBe("ann.upn");
    expect(
      identityFromClaims({ ...base, preferred_username: "ann", email: "a@x.io" }, upn).username,
    ).toBe("a@x.io");
  });

  it("maps groups to a role only when OIDC_ADMIN_GROUPS is set", () => {
    const claims = { iss, sub: "s", email: "a@example.com" };
    expect(identityFromClaims({ ...claims, groups: ["x", "admins"] }, withGroups).role).toBe(
      "admin",
    );
    expect(identityFromClaims({ ...claims, groups: "admins" }, withGroups).role).toBe("admin");
    expect(identityFromClaims({ ...claims, groups: ["x"] }, withGroups).role).toBe("viewer");
    expect(identityFromClaims(claims, withGroups).role).toBe("viewer");
    expect(identityFromClaims({ ...claims, groups: ["admins"] }, config()).role).toBeNull();
  });

  it.each([
    [{ iss, sub: "s", email: "a@evil.com" }, "domain_not_allowed"],
    [{ iss, sub: "s", email: "a@sub.example.com" }, "domain_not_allowed"],
    [{ iss, sub: "s", email: "a@example.com", email_verified: false }, "domain_not_allowed"],
    [{ iss, sub: "s" }, "domain_not_allowed"],
    [{ iss, email: "a@example.com" }, "invalid_claims"],
    [{ iss, sub: "s", email: "a@example.com", preferred_username: "has space" }, "invalid_claims"],
  ])("refuses %j with %s", (claims, code) => {
    let error: unknown;
    try {
      identityFromClaims(claims, withGroups);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OidcLoginError);
    expect((error as OidcLoginError).code).toBe(code);
  });
});

describe("flow cookie", () => {
  const c: OidcConfig = config({ OIDC_CLIENT_SECRET: "secret" });
  const flow: LoginFlow = {
    state: "st",
    nonce: "no",
    codeVerifier: "ve",
    next: "/x",
    expiresAt: Date.now() + 60_000,
  };

  it("round-trips, and refuses tampered, foreign or expired cookies", () => {
    const sealed = sealFlow(flow, c);
    expect(openFlow(sealed, c)).toEqual(flow);
    const bytes = Buffer.from(sealed, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    expect(openFlow(bytes.toString("base64url"), c)).toBeNull();
    expect(openFlow(sealed, config({ OIDC_CLIENT_SECRET: "other" }))).toBeNull();
    expect(openFlow(sealed, c, flow.expiresAt)).toBeNull();
    expect(openFlow(undefined, c)).toBeNull();
    expect(openFlow("not base64 at all!", c)).toBeNull();
  });
});

describe("safeNext", () => {
  it.each([
    [null, "/"],
    ["", "/"],
    ["clients", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["/\t/evil.example", "/"],
    ["/clients?range=7d#top", "/clients?range=7d#top"],
    ["/a/../b", "/b"],
  ])("%j → %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
