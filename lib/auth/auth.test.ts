// Operator login against the real app: the proxy guards pages and APIs,
// sessions are server-side, writes need the CSRF token, roles are enforced.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  createOperator,
  startApp,
  TEST_ADMIN,
  type AppServer,
} from "../../test/support/app-server";

let app: AppServer;

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl"), env: { TRUST_PROXY: "1" } });
}, 60_000);
afterAll(() => app?.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

const LOGIN_FIRST = { error: { code: "unauthorized", message: "Log in first." } };

describe("anonymous callers", () => {
  it.each([
    "/api/clients",
    "/api/clients/some-device",
    "/api/clients/some-device/connections",
    "/api/clients/some-device/events",
    "/api/clients/some-device/connections.csv",
    "/api/export/connections.csv",
    "/api/stream",
    "/api/stats/summary",
    "/api/admin/operators",
    "/api/auth/me",
  ])("GET %s → 401", async (path) => {
    const response = await fetch(`${app.url}${path}`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 401,
      body: LOGIN_FIRST,
    });
  });

  it("pages redirect to the login page, keeping where they were going", async () => {
    const response = await fetch(`${app.url}/clients/a%2Fb?range=7d`, { redirect: "manual" });
    expect(response.status).toBe(307);
    const location = new URL(response.headers.get("location")!, app.url);
    expect(location.pathname + location.search).toBe(
      "/login?next=%2Fclients%2Fa%252Fb%3Frange%3D7d",
    );
  });

  it("health and ingest stay reachable without a session", async () => {
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    const r = await fetch(`${app.url}/api/ingest`, {
      method: "POST",
      headers: { Authorization: "Bearer test-token" },
      body: "[]",
    });
    expect(r.status).toBe(200);
  });

  it("every response carries the security headers", async () => {
    for (const path of ["/api/health", "/login", "/api/clients"]) {
      const h = (await fetch(`${app.url}${path}`)).headers;
      expect(h.get("content-security-policy")).toMatch(
        /^default-src 'self'; script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
      );
      expect(h.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(h.get("x-content-type-options")).toBe("nosniff");
      expect(h.get("x-frame-options")).toBe("DENY");
      expect(h.get("referrer-policy")).toBe("no-referrer");
    }
  });
});

describe("login", () => {
  it("opens a session with HttpOnly, SameSite cookies; logout revokes it server-side", async () => {
    const response = await fetch(`${app.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(await response.json()).toEqual({ username: "test-admin", role: "admin" });
    const cookies = response.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith("fleet_session="))).toMatch(
      /; HttpOnly; Path=\/; SameSite=Strict; Expires=/,
    );
    expect(cookies.find((c) => c.startsWith("fleet_csrf="))).not.toContain("HttpOnly");

    const session = await app.login();
    const withCookie = () =>
      fetch(`${app.url}/api/clients`, { headers: { cookie: session.cookie } });
    expect((await withCookie()).status).toBe(200);
    const out = await fetch(`${app.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await withCookie()).status).toBe(401);
  });

  it.each([
    { name: "wrong password", body: { username: "test-admin", password: "not-the-password" } },
    // A name no other test file tries: names without an account lock too (issue #19).
    {
      name: "unknown user",
      body: { username: `nobody-${Date.now()}`, password: "whatever-password" },
    },
  ])("$name → the same 401", async ({ body }) => {
    expect(await post("/api/auth/login", body, { "x-forwarded-for": "198.51.100.1" })).toEqual({
      status: 401,
      body: { error: { code: "unauthorized", message: "Invalid username or password." } },
    });
  });

  it("refuses a cross-site login form", async () => {
    expect(await post("/api/auth/login", TEST_ADMIN, { origin: "https://evil.example" })).toEqual({
      status: 403,
      body: { error: { code: "csrf_failed", message: "Cross-site login attempt refused." } },
    });
  });

  it.each(["/.//evil.example/x", "/%2e//evil.example/x", "/a/..//evil.example/x"])(
    "a login form with next=%j lands on this site (issue #14, finding 2)",
    async (next) => {
      const response = await fetch(`${app.url}/api/auth/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...TEST_ADMIN, next }),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
    },
  );

  it("locks an account after 5 failed logins, even for the right password", async () => {
    await createOperator(app, {
      username: "lockme",
      password: "correct-horse-battery",
      role: "viewer",
    });
    for (let i = 0; i < 5; i += 1) {
      expect(
        (
          await post(
            "/api/auth/login",
            { username: "lockme", password: "wrong-password!" },
            { "x-forwarded-for": "198.51.100.2" },
          )
        ).status,
      ).toBe(401);
    }
    expect(
      await post(
        "/api/auth/login",
        { username: "lockme", password: "correct-horse-battery" },
        { "x-forwarded-for": "198.51.100.2" },
      ),
    ).toEqual({
      status: 429,
      body: {
        error: {
          code: "too_many_requests",
          message: "Too many failed logins: the account is locked for 15 more minute(s).",
        },
      },
    });
  });

  it("rate-limits login attempts per client address (behind a trusted proxy)", async () => {
    const from = { "x-forwarded-for": "203.0.113.9" };
    for (let i = 0; i < 20; i += 1)
      await post("/api/auth/login", { username: `x${i}`, password: "wrong-password" }, from);
    expect(await post("/api/auth/login", TEST_ADMIN, from)).toEqual({
      status: 429,
      body: {
        error: {
          code: "too_many_requests",
          message: expect.stringMatching(
            /^Too many login attempts from this address; retry in \d+ s\.$/,
          ),
        },
      },
    });
  });
});

describe("roles, CSRF and tokens", () => {
  it("a viewer reads the fleet but cannot manage accounts", async () => {
    const created = await createOperator(app, {
      username: "viewer-1",
      password: "viewer-password-1",
      role: "viewer",
    });
    expect(created.status).toBe(201);
    const viewer = await app.login("viewer-1", "viewer-password-1");
    expect(
      (await fetch(`${app.url}/api/clients`, { headers: { cookie: viewer.cookie } })).status,
    ).toBe(200);
    const admin = await fetch(`${app.url}/api/admin/operators`, {
      headers: { cookie: viewer.cookie },
    });
    expect({ status: admin.status, body: await admin.json() }).toEqual({
      status: 403,
      body: { error: { code: "forbidden", message: "Only admins may do this." } },
    });
    const page = await fetch(`${app.url}/admin`, {
      headers: { cookie: viewer.cookie },
      redirect: "manual",
    });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get("location")!, app.url).pathname).toBe("/");
  });

  it("refuses cookie-authenticated writes without the CSRF token or from another origin", async () => {
    const session = await app.login();
    const attempt = (headers: Record<string, string>) =>
      post("/api/admin/tokens", { name: "x" }, { cookie: session.cookie, ...headers });
    const refused = {
      status: 403,
      body: {
        error: {
          code: "csrf_failed",
          message: "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
        },
      },
    };
    expect(await attempt({})).toEqual(refused);
    expect(await attempt({ "x-csrf-token": "forged" })).toEqual(refused);
    expect(
      await attempt({ "x-csrf-token": session.csrfToken, origin: "https://evil.example" }),
    ).toEqual(refused);
    expect((await attempt({ "x-csrf-token": session.csrfToken })).status).toBe(201);
  });

  it("admin-made ingest tokens work, record their use, and stop when revoked", async () => {
    const created = await app.fetch("/api/admin/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "bridge eu-west" }),
    });
    const { token, info } = (await created.json()) as {
      token: string;
      info: { id: string; prefix: string };
    };
    expect(token.startsWith(info.prefix)).toBe(true);
    const ingest = () =>
      fetch(`${app.url}/api/ingest`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        body: "[]",
      });
    expect((await ingest()).status).toBe(200);
    const listed = (await (await app.fetch("/api/admin/tokens")).json()) as {
      items: { id: string; lastUsedAt: string | null; prefix: string }[];
    };
    const mine = listed.items.find((t) => t.id === info.id)!;
    expect(mine.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect((await app.fetch(`/api/admin/tokens/${info.id}`, { method: "DELETE" })).status).toBe(
      200,
    );
    const after = await ingest();
    expect({ status: after.status, body: await after.json() }).toEqual({
      status: 401,
      body: { error: { code: "unauthorized", message: "The bearer token is not valid." } },
    });
  });

  it("disabling an operator ends their sessions; the last admin cannot be removed", async () => {
    const created = (await (
      await createOperator(app, {
        username: "temp-viewer",
        password: "temp-viewer-password",
        role: "viewer",
      })
    ).json()) as { id: string };
    const session = await app.login("temp-viewer", "temp-viewer-password");
    await app.fetch(`/api/admin/operators/${created.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ disabled: true }),
    });
    expect(
      (await fetch(`${app.url}/api/clients`, { headers: { cookie: session.cookie } })).status,
    ).toBe(401);

    // Other test files may have made admins in this shared database: disable them so
    // test-admin is the last enabled one.
    const everyone = (await (await app.fetch("/api/admin/operators")).json()) as {
      items: { id: string; username: string; role: string; disabled: boolean }[];
    };
    for (const other of everyone.items) {
      if (other.role === "admin" && other.username !== "test-admin" && !other.disabled) {
        await app.fetch(`/api/admin/operators/${other.id}`, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ disabled: true }),
        });
      }
    }
    const operators = (await (await app.fetch("/api/admin/operators")).json()) as {
      items: { id: string; username: string }[];
    };
    const admin = operators.items.find((o) => o.username === "test-admin")!;
    const del = await app.fetch(`/api/admin/operators/${admin.id}`, { method: "DELETE" });
    expect({ status: del.status, body: await del.json() }).toEqual({
      status: 409,
      body: {
        error: {
          code: "conflict",
          message: "This is the last enabled admin; create another admin first.",
        },
      },
    });
  });
});
