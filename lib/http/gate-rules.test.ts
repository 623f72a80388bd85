// The request gate's decisions from headers alone (issue #14, findings 4
// and 10), and next.config.mjs's copy of the proxy's body bound.
import { describe, expect, it } from "vitest";
import { proxyBodyBound as configuredBound } from "../../next.config.mjs";
import { MAX_JSON_BODY_BYTES } from "../auth/parse-json";
import { labelsImportMaxBytes } from "../config";
import { gateDecision, proxyBodyBound, type GateRequest } from "./gate-rules";

const envOf = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

const request = (overrides: Partial<GateRequest>): GateRequest => ({
  method: "POST",
  pathname: "/api/clients",
  contentLength: "100",
  transferEncoding: undefined,
  authorization: undefined,
  sessionCookie: undefined,
  sameOrigin: true,
  ...overrides,
});

describe("gateDecision", () => {
  it.each(["TRACE", "CONNECT", "PROPFIND", "BREW"])(
    "%s is a 405 naming what is served",
    (method) => {
      const decision = gateDecision(request({ method, contentLength: undefined }));
      expect(decision).toMatchObject({ kind: "refuse", code: "method_not_allowed" });
      expect(decision.kind === "refuse" && decision.headers?.Allow).toBe(
        "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
      );
    },
  );

  it("lets bodiless requests through, whoever sends them", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "DELETE", "POST"])
      expect(gateDecision(request({ method, contentLength: undefined }))).toEqual({ kind: "pass" });
    expect(gateDecision(request({ contentLength: "0" }))).toEqual({ kind: "pass" });
  });

  it.each([
    ["POST", "/api/clients"],
    ["PUT", "/api/clients/a/labels"],
    ["POST", "/api/admin/operators"],
    ["GET", "/api/stats/summary"],
    ["POST", "/"],
  ])("an anonymous %s to %s with a body is a 401 before the body", (method, pathname) => {
    for (const body of [
      { contentLength: "10485760" },
      { contentLength: undefined, transferEncoding: "chunked" },
    ])
      expect(gateDecision(request({ method, pathname, ...body }))).toMatchObject({
        kind: "refuse",
        code: "unauthorized",
      });
  });

  it("a session's body waits for the session lookup; admin paths and writes say so", () => {
    expect(gateDecision(request({ sessionCookie: "abc" }))).toEqual({
      kind: "check",
      credential: "session",
      adminOnly: false,
      csrf: true,
      tooLarge: null,
    });
    expect(
      gateDecision(request({ method: "GET", pathname: "/api/admin/tokens", sessionCookie: "abc" })),
    ).toEqual({
      kind: "check",
      credential: "session",
      adminOnly: true,
      csrf: false,
      tooLarge: null,
    });
  });

  it("an API token takes the session's place: looked up first, no CSRF, admin paths say so", () => {
    const byToken = (pathname: string) =>
      gateDecision(request({ pathname, authorization: "Bearer fpa_x", sessionCookie: undefined }));
    expect(byToken("/api/admin/operators")).toEqual({
      kind: "check",
      credential: "api-token",
      adminOnly: true,
      csrf: false,
      tooLarge: null,
    });
    expect(byToken("/api/clients")).toMatchObject({ credential: "api-token", adminOnly: false });
  });

  it("a cross-site login is refused before its body, as proxy.ts does", () => {
    expect(gateDecision(request({ pathname: "/api/auth/login", sameOrigin: false }))).toMatchObject(
      {
        kind: "refuse",
        code: "csrf_failed",
      },
    );
  });

  it("ingest without a bearer token is a 401; with one, the token is looked up first", () => {
    for (const authorization of [undefined, "", "Basic eDp5", "Bearer", "Bearer   "])
      expect(gateDecision(request({ pathname: "/api/ingest", authorization }))).toMatchObject({
        kind: "refuse",
        code: "unauthorized",
      });
    expect(gateDecision(request({ pathname: "/api/ingest", authorization: "Bearer t" }))).toEqual({
      kind: "check",
      credential: "ingest-token",
      adminOnly: false,
      csrf: false,
      tooLarge: null,
    });
  });

  it("a declared length past the path's limit is a 413, after who asks (proxy.ts's order)", () => {
    const env = envOf({ INGEST_MAX_BYTES: "1000", LABELS_IMPORT_MAX_BYTES: "5000" });
    const cases: [string, number, boolean][] = [
      ["/api/ingest", 1000, false],
      ["/api/ingest", 1001, true],
      ["/api/labels/import", 5000, false],
      ["/api/labels/import", 5001, true],
      ["/api/auth/login", MAX_JSON_BODY_BYTES, false],
      ["/api/auth/login", MAX_JSON_BODY_BYTES + 1, true],
      ["/api/clients", 104857600, true],
    ];
    for (const [pathname, length, tooLarge] of cases) {
      const decision = gateDecision(
        request({
          pathname,
          contentLength: String(length),
          authorization: "Bearer t",
          sessionCookie: "s",
        }),
        env,
      );
      const refused =
        decision.kind === "refuse"
          ? decision.code === "payload_too_large"
          : decision.kind === "check" && decision.tooLarge !== null;
      expect(refused, `${pathname} ${length}`).toBe(tooLarge);
      expect(decision.kind === "refuse" && decision.code !== "payload_too_large").toBe(false);
    }
  });

  it("public paths with a body within the limit pass (the login form)", () => {
    expect(gateDecision(request({ pathname: "/api/auth/login" }))).toEqual({ kind: "pass" });
  });
});

describe("the proxy's body bound", () => {
  it.each([
    envOf({}),
    envOf({ LABELS_IMPORT_MAX_BYTES: "1000" }),
    envOf({ LABELS_IMPORT_MAX_BYTES: "104857600" }),
  ])("is one byte past every proxied route's limit, and next.config.mjs agrees (%o)", (env) => {
    const bound = proxyBodyBound(env);
    expect(bound).toBe(Math.max(labelsImportMaxBytes(env), MAX_JSON_BODY_BYTES) + 1);
    expect(configuredBound(env)).toBe(bound);
  });
});
