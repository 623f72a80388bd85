// Single sign-on against the real app and a real OpenID Connect provider
// (oidc-provider on a loopback port): the whole code flow as a browser runs
// it, with manual redirects; nothing in openid-client's checks is mocked.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../db/embedded";
import { createOperator, startApp, type AppServer } from "../../test/support/app-server";
import {
  CookieJar,
  driveProvider,
  startTestProvider,
  type TestProvider,
} from "../../test/support/oidc-test-provider";
import { hashToken } from "./token-hash";

let app: AppServer;
let provider: TestProvider;

beforeAll(async () => {
  const port = await freePort();
  provider = await startTestProvider({
    redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback`,
    postLogoutRedirectUri: `http://127.0.0.1:${port}/login`,
  });
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    port,
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_SCOPES: "openid profile email groups",
      OIDC_ADMIN_GROUPS: "fleet-admins, ops-leads",
      OIDC_ALLOWED_DOMAINS: "example.com",
      OIDC_LABEL: "Example SSO",
    },
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await provider?.stop();
});

interface Started {
  authorizationUrl: URL;
  flowCookie: string;
  setCookie: string;
}

async function startLogin(next = "/"): Promise<Started> {
  const response = await fetch(`${app.url}/api/auth/oidc/login?next=${encodeURIComponent(next)}`, {
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  const setCookie = response.headers.get("set-cookie") ?? "";
  return {
    authorizationUrl: new URL(response.headers.get("location")!),
    flowCookie: setCookie.split(";")[0]!,
    setCookie,
  };
}

async function callback(url: URL, flowCookie: string | undefined) {
  const response = await fetch(url, {
    redirect: "manual",
    headers: flowCookie ? { cookie: flowCookie } : {},
  });
  const cookies = response.headers.getSetCookie();
  return {
    status: response.status,
    location: response.headers.get("location"),
    refresh: response.headers.get("refresh"),
    cookies,
    session: cookies
      .map((c) => c.split(";")[0]!)
      .filter((c) => /^fleet_(session|csrf)=./.test(c))
      .join("; "),
  };
}

/** The whole flow for one provider account; returns the callback's answer. */
async function ssoLogin(sub: string, next?: string) {
  const started = await startLogin(next);
  const back = await driveProvider(started.authorizationUrl.href, app.url, { login: sub });
  return callback(back, started.flowCookie);
}

async function me(session: string) {
  const response = await fetch(`${app.url}/api/auth/me`, { headers: { cookie: session } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("SSO on", () => {
  it("GET /api/auth/providers offers SSO with its label", async () => {
    const response = await fetch(`${app.url}/api/auth/providers`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ password: true, oidc: true, oidcLabel: "Example SSO" });
  });

  it("login redirects to the provider with PKCE, state and nonce, in a Lax HttpOnly cookie", async () => {
    const { authorizationUrl, setCookie } = await startLogin();
    expect(authorizationUrl.origin).toBe(provider.issuer);
    const q = authorizationUrl.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(provider.clientId);
    expect(q.get("redirect_uri")).toBe(`${app.url}/api/auth/oidc/callback`);
    expect(q.get("scope")).toBe("openid profile email groups");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(q.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(q.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(setCookie).toMatch(
      /^fleet_oidc=[\w-]+; Path=\/api\/auth\/oidc; HttpOnly; SameSite=Lax; Max-Age=600$/,
    );
    // The cookie is sealed: state and verifier are not readable in it.
    expect(setCookie).not.toContain(q.get("state")!);
  });

  it("the full code flow provisions a viewer and opens a working session", async () => {
    provider.accounts.set("sub-alice", {
      preferred_username: "alice",
      email: "alice@example.com",
      email_verified: true,
      groups: ["staff"],
    });
    const result = await ssoLogin("sub-alice", "/clients?range=7d");
    expect(result.status).toBe(200);
    expect(result.refresh).toBe("0;url=/clients?range=7d");
    const session = result.cookies.find((c) => c.startsWith("fleet_session="))!;
    expect(session).toMatch(/; HttpOnly; Path=\/; SameSite=Strict; Expires=/);
    expect(result.cookies).toContainEqual(expect.stringMatching(/^fleet_oidc=; .*Max-Age=0/));

    expect(await me(result.session)).toMatchObject({
      status: 200,
      body: { username: "alice", role: "viewer" },
    });
    const clients = await fetch(`${app.url}/api/clients`, { headers: { cookie: result.session } });
    expect(clients.status).toBe(200);
    const admin = await fetch(`${app.url}/api/admin/operators`, {
      headers: { cookie: result.session },
    });
    expect(admin.status).toBe(403);

    // The second login finds the same account (by issuer and subject).
    const again = await ssoLogin("sub-alice");
    expect(again.refresh).toBe("0;url=/");
    expect((await me(again.session)).body).toMatchObject({ username: "alice" });
    const { items: list } = (await (await app.fetch("/api/admin/operators")).json()) as {
      items: { username: string }[];
    };
    expect(list.filter((o) => o.username === "alice")).toHaveLength(1);
  });

  it("an admin group makes an admin; the role follows the groups on every login", async () => {
    provider.accounts.set("sub-bob", {
      preferred_username: "bob",
      email: "bob@example.com",
      groups: ["staff", "ops-leads"],
    });
    const first = await ssoLogin("sub-bob");
    expect((await me(first.session)).body).toMatchObject({ username: "bob", role: "admin" });
    const admin = await fetch(`${app.url}/api/admin/operators`, {
      headers: { cookie: first.session },
    });
    expect(admin.status).toBe(200);

    provider.accounts.set("sub-bob", { ...provider.accounts.get("sub-bob"), groups: ["staff"] });
    const second = await ssoLogin("sub-bob");
    expect((await me(second.session)).body).toMatchObject({ username: "bob", role: "viewer" });
  });

  it("a tampered state is refused; so is a callback without the login's cookie", async () => {
    provider.accounts.set("sub-carl", { preferred_username: "carl", email: "carl@example.com" });
    const started = await startLogin("/clients");
    const back = await driveProvider(started.authorizationUrl.href, app.url, { login: "sub-carl" });
    const tampered = new URL(back);
    tampered.searchParams.set("state", `${back.searchParams.get("state")}x`);
    const refused = await callback(tampered, started.flowCookie);
    expect({
      status: refused.status,
      location: refused.location,
      session: refused.session,
    }).toEqual({
      status: 303,
      location: "/login?error=state_mismatch&next=%2Fclients",
      session: "",
    });

    const noCookie = await callback(back, undefined);
    expect([noCookie.status, noCookie.location, noCookie.session]).toEqual([
      303,
      "/login?error=login_expired",
      "",
    ]);

    // Another login's cookie (a different state, nonce and verifier) does not fit either.
    const other = await startLogin();
    const foreign = await callback(back, other.flowCookie);
    expect(foreign.location).toBe("/login?error=state_mismatch");

    // A forged cookie does not open.
    const forged = await callback(back, "fleet_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(forged.location).toBe("/login?error=login_expired");
  });

  it("a refused consent lands on the login page with access_denied", async () => {
    const started = await startLogin("/clients");
    const back = await driveProvider(started.authorizationUrl.href, app.url, { abort: true });
    expect(back.searchParams.get("error")).toBe("access_denied");
    const result = await callback(back, started.flowCookie);
    expect([result.status, result.location, result.session]).toEqual([
      303,
      "/login?error=access_denied&next=%2Fclients",
      "",
    ]);
  });

  it("an email outside OIDC_ALLOWED_DOMAINS, or unverified, is refused", async () => {
    provider.accounts.set("sub-eve", { preferred_username: "eve", email: "eve@example.org" });
    const outside = await ssoLogin("sub-eve");
    expect([outside.status, outside.location, outside.session]).toEqual([
      303,
      "/login?error=domain_not_allowed",
      "",
    ]);
    provider.accounts.set("sub-eve", { email: "eve@example.com", email_verified: false });
    expect((await ssoLogin("sub-eve")).location).toBe("/login?error=domain_not_allowed");
  });

  it("a disabled account is refused", async () => {
    provider.accounts.set("sub-dora", { preferred_username: "dora", email: "dora@example.com" });
    expect((await ssoLogin("sub-dora")).status).toBe(200);
    const { items: list } = (await (await app.fetch("/api/admin/operators")).json()) as {
      items: { id: string; username: string }[];
    };
    const dora = list.find((o) => o.username === "dora")!;
    const patch = await app.fetch(`/api/admin/operators/${dora.id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ disabled: true }),
    });
    expect(patch.status).toBe(200);
    const refused = await ssoLogin("sub-dora");
    expect([refused.status, refused.location, refused.session]).toEqual([
      303,
      "/login?error=account_disabled",
      "",
    ]);
  });

  it("an SSO identity never takes over a local account of the same name", async () => {
    const created = await createOperator(app, {
      username: "frank",
      password: "frank-local-password",
      role: "admin",
    });
    expect(created.status).toBe(201);
    provider.accounts.set("sub-frank", { preferred_username: "Frank", email: "f@example.com" });
    const refused = await ssoLogin("sub-frank");
    expect([refused.location, refused.session]).toEqual(["/login?error=account_conflict", ""]);
  });

  it("without preferred_username the email is the username", async () => {
    provider.accounts.set("sub-gina", { email: "gina@example.com" });
    const result = await ssoLogin("sub-gina");
    expect((await me(result.session)).body).toMatchObject({ username: "gina@example.com" });
  });

  it.each([
    ["//evil.example/x", "/"],
    ["https://evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["/clients/a%2Fb?x=1#top", "/clients/a%2Fb?x=1#top"],
  ])("next=%s lands on %s (no open redirect)", async (next, landing) => {
    provider.accounts.set("sub-hal", { preferred_username: "hal", email: "hal@example.com" });
    const result = await ssoLogin("sub-hal", next);
    expect(result.refresh).toBe(`0;url=${landing}`);
  });
});

/** Where the provider sends a browser with these cookies for a new login: straight back, or to its login page. */
async function providerAnswer(
  jar: CookieJar,
): Promise<"back to the app" | "login page" | "consent page"> {
  const started = await startLogin();
  let url = started.authorizationUrl;
  for (let step = 0; step < 10; step += 1) {
    const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get("location");
    if (location === null) {
      return /name="prompt" value="login"/.test(await response.text())
        ? "login page"
        : "consent page";
    }
    url = new URL(location, url);
    if (url.origin === app.url) return "back to the app";
  }
  throw new Error("no answer from the provider");
}

describe("SSO logout (RP-initiated)", () => {
  let database: pg.Client;
  beforeAll(async () => {
    database = new pg.Client({ connectionString: inject("databaseUrl") });
    await database.connect();
  });
  afterAll(() => database?.end());

  const idTokenOf = async (sessionToken: string) =>
    (
      await database.query<{ id_token: string | null }>(
        "SELECT id_token FROM operator_session WHERE token_hash = $1",
        [hashToken(sessionToken)],
      )
    ).rows[0]?.id_token;

  it("logging out ends the provider's session too, with the ID token kept server-side only", async () => {
    provider.accounts.set("sub-ivy", { preferred_username: "ivy", email: "ivy@example.com" });
    const jar = new CookieJar();
    const started = await startLogin("/clients");
    const back = await driveProvider(
      started.authorizationUrl.href,
      app.url,
      { login: "sub-ivy" },
      jar,
    );
    const login = await callback(back, started.flowCookie);
    expect(login.status).toBe(200);
    const sessionToken = /fleet_session=([^;]+)/.exec(login.session)![1]!;
    const csrf = /fleet_csrf=([^;]+)/.exec(login.session)![1]!;

    // The ID token is in the database with the session, in no cookie.
    const idToken = await idTokenOf(sessionToken);
    expect(idToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
    for (const cookie of login.cookies) expect(cookie).not.toContain(idToken!);
    // The provider remembers the browser: a new login comes straight back.
    expect(await providerAnswer(jar)).toBe("back to the app");

    const out = await fetch(`${app.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: login.session, "x-csrf-token": csrf },
    });
    expect(out.status).toBe(204);
    const handoff = out.headers.getSetCookie().find((c) => c.startsWith("fleet_sso_logout="))!;
    expect(handoff).toMatch(
      /^fleet_sso_logout=[\w-]+; HttpOnly; Path=\/; SameSite=Strict; Max-Age=300$/,
    );
    expect(handoff).not.toContain(idToken!);
    const handoffCookie = handoff.split(";")[0]!;
    expect((await me(login.session)).status).toBe(401);

    // The UI goes to /login after logout; that page hands over to the provider logout.
    const loginPage = await fetch(`${app.url}/login`, {
      redirect: "manual",
      headers: { cookie: handoffCookie },
    });
    expect(loginPage.status).toBe(307);
    expect(loginPage.headers.get("location")).toBe("/api/auth/oidc/logout");

    const logout = await fetch(`${app.url}/api/auth/oidc/logout`, {
      redirect: "manual",
      headers: { cookie: handoffCookie },
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^fleet_sso_logout=; HttpOnly; Path=\/; SameSite=Strict; Max-Age=0$/),
    );
    const endSession = new URL(logout.headers.get("location")!);
    expect(endSession.origin + endSession.pathname).toBe(`${provider.issuer}/session/end`);
    expect(Object.fromEntries(endSession.searchParams)).toEqual({
      id_token_hint: idToken,
      post_logout_redirect_uri: `${app.url}/login`,
      client_id: provider.clientId,
    });
    // Read once, then erased: a replayed handoff only reaches the login page.
    expect(await idTokenOf(sessionToken)).toBeNull();
    const replay = await fetch(`${app.url}/api/auth/oidc/logout`, {
      redirect: "manual",
      headers: { cookie: handoffCookie },
    });
    expect([replay.status, replay.headers.get("location")]).toEqual([303, "/login"]);

    // At the provider: confirm, and it sends the browser back to /login.
    const returned = await driveProvider(endSession.href, app.url, { login: "unused" }, jar);
    expect(returned.href).toBe(`${app.url}/login`);
    // The provider's session is over: the next SSO login asks for the password again.
    expect(await providerAnswer(jar)).toBe("login page");
  });

  it("a password session's logout hands nothing to the provider", async () => {
    const session = await app.login();
    const out = await fetch(`${app.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => c.startsWith("fleet_sso_logout="))).toBe(false);
    const logout = await fetch(`${app.url}/api/auth/oidc/logout`, { redirect: "manual" });
    expect([logout.status, logout.headers.get("location")]).toEqual([303, "/login"]);
  });
});

describe("SSO off or unreachable", () => {
  let off: AppServer | undefined;
  let down: AppServer | undefined;
  afterAll(async () => {
    await off?.stop();
    await down?.stop();
  });

  it("without OIDC_ISSUER: providers says oidc:false and the SSO routes are 404s", async () => {
    off = await startApp({ databaseUrl: inject("databaseUrl") });
    const providers = await fetch(`${off.url}/api/auth/providers`);
    expect(await providers.json()).toEqual({ password: true, oidc: false });
    for (const path of ["/api/auth/oidc/login?next=/", "/api/auth/oidc/callback?code=x&state=y"]) {
      const response = await fetch(`${off.url}${path}`, { redirect: "manual" });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 404,
        body: { error: { code: "not_found", message: "Single sign-on is not configured." } },
      });
    }
  }, 60_000);

  it("an unreachable provider lands on the login page, not a 500", async () => {
    down = await startApp({
      databaseUrl: inject("databaseUrl"),
      env: { OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`, OIDC_CLIENT_ID: "x" },
    });
    const response = await fetch(`${down.url}/api/auth/oidc/login?next=%2Fclients`, {
      redirect: "manual",
    });
    expect([response.status, response.headers.get("location")]).toEqual([
      303,
      "/login?error=provider_unreachable&next=%2Fclients",
    ]);
  }, 60_000);
});
