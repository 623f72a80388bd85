// Property-based fuzzing of the operator-facing write APIs (issue #5,
// "Hostile input"), through the real, built app so the proxy's login, role
// and CSRF checks run too: /api/auth/* (login, logout, SSO start and
// callback against a real OpenID Connect provider) and /api/admin/*
// (operators, ingest tokens). Whatever the body, headers, role or CSRF
// token: never a 500, an answer within the time bound, a 4xx carries exactly
// the error contract with a code that fits, and state stays consistent (a
// refused request changes nothing; an accepted one changes exactly what it
// says). Needs a production build (`npm run build`).
import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  driveProvider,
  startTestProvider,
  type TestProvider,
} from "@/test/support/oidc-test-provider";
import { OIDC_ERROR_CODES } from "@/lib/auth/oidc-errors";
import { freePort } from "@/lib/db/embedded";
import {
  createOperator,
  startApp,
  TEST_ADMIN,
  type AppServer,
  type OperatorSession,
} from "@/test/support/app-server";
import { hostileString, storableString, UNSTORABLE_UNITS } from "@/test/support/fuzz-arbitraries";
import { REQUEST_BUDGET_MS } from "@/test/support/fuzz-checks";
import { runs } from "@/test/support/runs";
import { bodyLimitFor } from "@/lib/http/gate-rules";

/** Which error codes each status may carry on these routes (lib/errors.ts). */
const CODES_BY_STATUS: Record<number, string[]> = {
  400: ["invalid_json", "invalid_body"],
  401: ["unauthorized"],
  403: ["forbidden", "csrf_failed"],
  404: ["not_found"],
  405: ["method_not_allowed"],
  409: ["conflict"],
  413: ["payload_too_large"],
  429: ["too_many_requests"],
};

const VIEWER = { username: "fuzz-viewer", password: "fuzz-viewer-password" };
/** Logins fuzzed against this account may lock it; nothing else logs in as it. */
const VICTIM = { username: "fuzz-victim", password: "fuzz-victim-password" };

let app: AppServer;
let provider: TestProvider;
let database: pg.Client;
let admin: OperatorSession;
let viewer: OperatorSession;
/** Operators the fuzz may change or delete (never the test admin or the viewer). */
let scratchIds: string[] = [];
let protectedIds: string[] = [];

interface Answer {
  status: number;
  text: string;
  body: unknown;
  headers: Headers;
}

type Role = "anonymous" | "viewer" | "admin";
type Csrf = "none" | "right" | "wrong" | "other-session";
type Origin = "none" | "same" | "foreign" | "null" | "garbage";

interface Call {
  method: string;
  path: string;
  body?: string | undefined;
  contentType?: string | undefined;
  role: Role;
  csrf: Csrf;
  origin: Origin;
  headers?: Record<string, string>;
}

function sessionOf(role: Role): OperatorSession | null {
  return role === "admin" ? admin : role === "viewer" ? viewer : null;
}

let address = 0;

/** A fresh client address per request: the per-address login limit must not mask other answers. */
function nextAddress(): string {
  address += 1;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
}

/** Logs in from a fresh address (app.login would share 127.0.0.1's 20 attempts). */
async function loginAs(username: string, password: string): Promise<OperatorSession> {
  const response = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-forwarded-for": nextAddress() },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const csrf = cookies.find((c) => c.startsWith("fleet_csrf="))?.slice("fleet_csrf=".length) ?? "";
  return { cookie: cookies.join("; "), csrfToken: csrf };
}

/** One request over HTTP, read to the end, within the time bound. */
async function send(call: Call): Promise<Answer> {
  const headers = new Headers(call.headers);
  // A fresh client address per request: the per-address login limit must not mask other answers.
  address += 1;
  headers.set(
    "x-forwarded-for",
    `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
  );
  const session = sessionOf(call.role);
  if (session !== null) headers.set("cookie", session.cookie);
  const csrf = {
    none: undefined,
    right: session?.csrfToken ?? "no-session",
    wrong: `${session?.csrfToken ?? ""}x`,
    "other-session": (session === admin ? viewer : admin).csrfToken,
  }[call.csrf];
  if (csrf !== undefined) headers.set("x-csrf-token", csrf);
  const origin = {
    none: undefined,
    same: app.url,
    foreign: "https://evil.example",
    null: "null",
    garbage: "::not a url::",
  }[call.origin];
  if (origin !== undefined) headers.set("origin", origin);
  if (call.contentType !== undefined) headers.set("content-type", call.contentType);
  const started = performance.now();
  const response = await fetch(`${app.url}${call.path}`, {
    method: call.method,
    headers,
    body: call.body,
    redirect: "manual",
    signal: AbortSignal.timeout(REQUEST_BUDGET_MS),
  });
  const text = await response.text();
  expect(performance.now() - started, `${call.method} ${call.path} took too long`).toBeLessThan(
    REQUEST_BUDGET_MS,
  );
  let body: unknown = null;
  if ((response.headers.get("content-type") ?? "").startsWith("application/json"))
    body = JSON.parse(text);
  return { status: response.status, text, body, headers: response.headers };
}

function describeCall(call: Call, answer: Answer): string {
  const body = call.body === undefined ? "" : ` ${call.body.slice(0, 300)}`;
  return `${call.method} ${call.path} as ${call.role} csrf=${call.csrf} origin=${call.origin}${body} → ${answer.status} ${answer.text.slice(0, 300)}`;
}

/** Exactly `{"error": {"code", "message"}}`, a code that fits the status, a message that says something. */
function expectErrorContract(answer: Answer, context: string): string {
  expect(answer.status, context).toBeGreaterThanOrEqual(400);
  expect(answer.status, context).toBeLessThan(500);
  expect(answer.headers.get("content-type"), context).toMatch(/^application\/json/);
  const body = answer.body as { error?: { code?: unknown; message?: unknown } };
  expect(Object.keys(body), context).toEqual(["error"]);
  expect(Object.keys(body.error ?? {}).sort(), context).toEqual(["code", "message"]);
  const { code, message } = body.error as { code: string; message: string };
  expect(CODES_BY_STATUS[answer.status], context).toContain(code);
  expect(typeof message, context).toBe("string");
  expect(message.length, context).toBeGreaterThan(0);
  return code;
}

/** What the proxy must answer before any handler runs, or null when the request gets through. */
function gateAnswer(call: Call, admins: boolean): { status: number; code: string } | null {
  if (call.role === "anonymous") return { status: 401, code: "unauthorized" };
  if (admins && call.role !== "admin") return { status: 403, code: "forbidden" };
  if (!["GET", "HEAD", "OPTIONS"].includes(call.method)) {
    const originOk = call.origin === "none" || call.origin === "same";
    if (!originOk || call.csrf !== "right") return { status: 403, code: "csrf_failed" };
  }
  return null;
}

// ---------------------------------------------------------------------------
// State: what the admin APIs may change, read straight from the database.

interface State {
  operators: Map<string, { username: string; role: string; disabled: boolean; hash: string }>;
  tokens: Map<string, { name: string; revoked: boolean }>;
  liveSessions: Map<string, number>;
}

async function snapshot(): Promise<State> {
  const ops = await database.query<{
    id: string;
    username: string;
    role: string;
    disabled: boolean;
    password_hash: string;
  }>("SELECT id::text, username, role, disabled, password_hash FROM operator");
  const tokens = await database.query<{ id: string; name: string; revoked: boolean }>(
    "SELECT id::text, name, revoked_at IS NOT NULL AS revoked FROM ingest_token",
  );
  const sessions = await database.query<{ id: string; n: number }>(
    `SELECT operator_id::text AS id, count(*)::int AS n FROM operator_session
      WHERE revoked_at IS NULL AND expires_at > now() GROUP BY operator_id`,
  );
  return {
    operators: new Map(
      ops.rows.map((r) => [
        r.id,
        { username: r.username, role: r.role, disabled: r.disabled, hash: r.password_hash },
      ]),
    ),
    tokens: new Map(tokens.rows.map((r) => [r.id, { name: r.name, revoked: r.revoked }])),
    liveSessions: new Map(sessions.rows.map((r) => [r.id, r.n])),
  };
}

const plain = (s: State) => ({
  operators: Object.fromEntries(s.operators),
  tokens: Object.fromEntries(s.tokens),
  liveSessions: Object.fromEntries(s.liveSessions),
});

// ---------------------------------------------------------------------------
// Arbitraries: bodies that are almost right, wrong in type, truncated, huge,
// deeply nested, or full of NUL, lone surrogates and bidi controls.

const nasty = fc.oneof(
  { weight: 4, arbitrary: hostileString(24) },
  { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE_UNITS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "\u202eadmin",
      "admin\u200f",
      "ad\u0000min",
      "\ud800\udc00",
      " padded ",
      "",
      "__proto__",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n)) },
);

/** Any JSON value, including wrong types for every field. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

const goodUsername = storableString(10, 1)
  .map((s) => `f${s.replace(/[^\p{L}\p{N}._@-]/gu, "")}`.slice(0, 60))
  .map((s) => `${s}${Math.random().toString(36).slice(2, 6)}`);
const goodPassword = fc.string({ minLength: 12, maxLength: 40 }).filter((s) => !/\p{Cs}/u.test(s));

function field<T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 2, arbitrary: nasty },
    { weight: 1, arbitrary: wrongType },
  );
}

/** A JSON text from a value, or a broken one: truncated, deeply nested, huge, not JSON at all. */
function bodyText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string | undefined> {
  const json = value.map((v) => JSON.stringify(v) ?? "null");
  return fc.oneof(
    { weight: 6, arbitrary: json },
    {
      weight: 2,
      arbitrary: fc
        .tuple(json, fc.nat())
        .map(([text, n]) => text.slice(0, text.length > 1 ? n % (text.length - 1) : 0)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 200_000 }), fc.constantFrom("[", '{"a":'))
        .map(
          ([depth, open]) => open.repeat(depth) + "1" + (open === "[" ? "]" : "}").repeat(depth),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        "",
        " ",
        "\u0000",
        "null",
        "[]",
        '"just a string"',
        "{'single': 'quotes'}",
        '{"a":1}{"b":2}',
        "\ufeff{}",
        `{"username":"${"x".repeat(2_000_000)}"}`,
      ),
    },
    { weight: 1, arbitrary: hostileString(40) },
  );
}

const contentTypeArb = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  undefined,
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=----x",
);

const roleArb = fc.constantFrom<Role>("admin", "admin", "admin", "viewer", "anonymous");
const csrfArb = fc.constantFrom<Csrf>("right", "right", "right", "none", "wrong", "other-session");
const originArb = fc.constantFrom<Origin>("none", "same", "same", "foreign", "null", "garbage");

// ---------------------------------------------------------------------------

beforeAll(async () => {
  const port = await freePort();
  provider = await startTestProvider({
    redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback`,
  });
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    port,
    env: {
      TRUST_PROXY: "1",
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
    },
  });
  database = new pg.Client({ connectionString: inject("databaseUrl") });
  await database.connect();
  admin = await loginAs(TEST_ADMIN.username, TEST_ADMIN.password);
  for (const account of [VIEWER, VICTIM]) {
    const created = await createOperator(app, { ...account, role: "viewer" });
    expect([201, 409]).toContain(created.status);
  }
  viewer = await loginAs(VIEWER.username, VIEWER.password);
  const { rows } = await database.query<{ id: string; username: string }>(
    "SELECT id::text, username FROM operator",
  );
  protectedIds = rows
    .filter((r) => [TEST_ADMIN.username, VIEWER.username, VICTIM.username].includes(r.username))
    .map((r) => r.id);
  // Scratch operators and tokens the fuzz may change, revoke or delete.
  for (let i = 0; i < 4; i += 1) {
    const r = await createOperator(app, {
      username: `scratch-${i}-${Date.now()}`,
      password: "scratch-password",
      role: i % 2 ? "admin" : "viewer",
    });
    expect(r.status).toBe(201);
    scratchIds.push(((await r.json()) as { id: string }).id);
    await app.fetch("/api/admin/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: `scratch-token-${i}` }),
    });
  }
}, 120_000);

afterAll(async () => {
  await database?.end();
  await app?.stop();
  await provider?.stop();
});

describe("/api/admin/* under hostile input", () => {
  const idArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant("scratch") },
    { weight: 1, arbitrary: fc.constant("protected") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "0",
        "-1",
        "1.5",
        "1e3",
        "99999999999999999999999",
        "999999999999999999",
        "0x10",
        " 1",
        "%00",
        "%E2%80%AE1",
        "%F0%9F%98%80",
        "abc",
        "..x",
        "%2F",
        "x".repeat(3000),
      ),
    },
  );

  type Op =
    "createOperator" | "updateOperator" | "deleteOperator" | "createToken" | "revokeToken" | "list";
  const opArb = fc.constantFrom<Op>(
    "createOperator",
    "createOperator",
    "updateOperator",
    "updateOperator",
    "deleteOperator",
    "createToken",
    "createToken",
    "revokeToken",
    "list",
  );
  const createOperatorBody = fc.record(
    {
      username: field(goodUsername),
      password: field(goodPassword),
      role: field(fc.constantFrom("viewer", "admin")),
      extra: wrongType,
    },
    { requiredKeys: [] },
  );
  const updateOperatorBody = fc.record(
    {
      role: field(fc.constantFrom("viewer", "admin")),
      disabled: field(fc.boolean()),
      password: field(goodPassword),
    },
    { requiredKeys: [] },
  );
  const tokenBody = fc.record(
    { name: field(storableString(30, 1)), extra: wrongType },
    { requiredKeys: [] },
  );

  it("answers every request with a 2xx or the exact 4xx contract, and a refused one changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        opArb,
        roleArb,
        csrfArb,
        originArb,
        contentTypeArb,
        idArb,
        fc.nat(),
        bodyText(createOperatorBody),
        bodyText(updateOperatorBody),
        bodyText(tokenBody),
        fc.constantFrom("GET", "PUT", "PATCH", "POST", "DELETE"),
        async (
          op,
          role,
          csrf,
          origin,
          contentType,
          idKind,
          pick,
          createText,
          updateText,
          tokenText,
          listMethod,
        ) => {
          const before = await snapshot();
          const tokenIds = [...before.tokens.keys()];
          const id =
            idKind === "scratch"
              ? (scratchIds[pick % scratchIds.length] ?? "0")
              : idKind === "protected"
                ? protectedIds[pick % protectedIds.length]!
                : idKind;
          const call: Call = {
            method: "GET",
            path: "/api/admin/operators",
            role,
            csrf,
            origin,
            contentType,
          };
          if (op === "createOperator") Object.assign(call, { method: "POST", body: createText });
          if (op === "updateOperator")
            Object.assign(call, {
              method: "PATCH",
              path: `/api/admin/operators/${id}`,
              body: updateText,
            });
          if (op === "deleteOperator")
            Object.assign(call, { method: "DELETE", path: `/api/admin/operators/${id}` });
          if (op === "createToken")
            Object.assign(call, { method: "POST", path: "/api/admin/tokens", body: tokenText });
          if (op === "revokeToken") {
            const tokenId = idKind === "scratch" ? (tokenIds[pick % tokenIds.length] ?? "0") : id;
            Object.assign(call, { method: "DELETE", path: `/api/admin/tokens/${tokenId}` });
          }
          if (op === "list")
            Object.assign(call, {
              method: listMethod,
              path: pick % 2 ? "/api/admin/tokens" : "/api/admin/operators",
            });
          // The test's own accounts stay as they are: no valid change reaches them.
          if (
            idKind === "protected" &&
            (op === "updateOperator" || op === "deleteOperator") &&
            role === "admin" &&
            csrf === "right"
          ) {
            call.body = op === "updateOperator" ? "{}" : call.body;
            if (op === "deleteOperator") call.role = "viewer";
          }

          const answer = await send(call);
          const context = describeCall(call, answer);
          expect(answer.status, context).toBeLessThan(500);
          const after = await snapshot();

          const gate = gateAnswer(call, true);
          if (gate !== null) {
            expect([answer.status, expectErrorContract(answer, context)], context).toEqual([
              gate.status,
              gate.code,
            ]);
          }
          if (answer.status >= 400) {
            expectErrorContract(answer, context);
            if (answer.status === 405) expect(answer.headers.get("allow"), context).toBeTruthy();
            expect(plain(after), `a refused request changed state: ${context}`).toEqual(
              plain(before),
            );
            return;
          }
          // Accepted: exactly the change it reports, nothing else.
          const body = answer.body as Record<string, unknown> | null;
          if (op === "list" || (answer.status === 200 && call.method === "GET")) {
            expect(plain(after), context).toEqual(plain(before));
            return;
          }
          if (op === "createOperator") {
            expect(answer.status, context).toBe(201);
            const created = body as { id: string; username: string; role: string };
            expect(after.operators.size, context).toBe(before.operators.size + 1);
            expect(after.operators.get(created.id)).toMatchObject({
              username: created.username,
              role: created.role,
              disabled: false,
            });
            const sent = JSON.parse(call.body!) as { username: string; role?: string };
            expect(created.username, context).toBe(sent.username.trim());
            expect(created.role, context).toBe(sent.role ?? "viewer");
            after.operators.delete(created.id);
            expect(plain(after), context).toEqual(plain(before));
            scratchIds.push(created.id);
            return;
          }
          if (op === "createToken") {
            expect(answer.status, context).toBe(201);
            const created = body as { token: string; info: { id: string; name: string } };
            expect(created.token, context).toMatch(/^fpi_[\w-]{32}$/);
            const sent = JSON.parse(call.body!) as { name: string };
            expect(created.info.name, context).toBe(sent.name.trim());
            expect(after.tokens.get(created.info.id), context).toEqual({
              name: sent.name.trim(),
              revoked: false,
            });
            after.tokens.delete(created.info.id);
            expect(plain(after), context).toEqual(plain(before));
            return;
          }
          if (op === "revokeToken") {
            const revoked = body as { id: string; revokedAt: string };
            expect(revoked.revokedAt, context).toEqual(expect.any(String));
            expect(after.tokens.get(revoked.id)?.revoked, context).toBe(true);
            after.tokens.set(revoked.id, before.tokens.get(revoked.id)!);
            expect(plain(after), context).toEqual(plain(before));
            return;
          }
          expect(protectedIds, context).not.toContain(id);
          if (op === "deleteOperator") {
            expect(answer.status, context).toBe(204);
            expect(after.operators.has(id), context).toBe(false);
            scratchIds = scratchIds.filter((s) => s !== id);
            before.operators.delete(id);
            before.liveSessions.delete(id);
            expect(plain(after), context).toEqual(plain(before));
            return;
          }
          // PATCH: that operator changed as asked; nothing else did.
          const sent = JSON.parse(call.body!) as {
            role?: string;
            disabled?: boolean;
            password?: string;
          };
          const now = after.operators.get(id)!;
          const was = before.operators.get(id)!;
          expect(now.role, context).toBe(sent.role ?? was.role);
          expect(now.disabled, context).toBe(sent.disabled ?? was.disabled);
          expect(now.hash !== was.hash, context).toBe(sent.password !== undefined);
          for (const map of ["operators", "liveSessions"] as const) {
            after[map].delete(id);
            before[map].delete(id);
          }
          expect(plain(after), context).toEqual(plain(before));
        },
      ),
      { numRuns: runs(300) },
    );
  }, 600_000);

  it("the same new operator created concurrently: one 201, the others a 409 conflict, one account", async () => {
    const username = `race-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        send({
          method: "POST",
          path: "/api/admin/operators",
          role: "admin",
          csrf: "right",
          origin: "same",
          contentType: "application/json",
          body: JSON.stringify({
            username: i % 2 ? username : username.toUpperCase(),
            password: "race-password-1",
          }),
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409))
      expect(expectErrorContract(a, a.text)).toBe("conflict");
    const { rows } = await database.query("SELECT 1 FROM operator WHERE lower(username) = $1", [
      username,
    ]);
    expect(rows).toHaveLength(1);
  });

  it("refuses bodies past the size limit with 413 before reading them whole", async () => {
    for (const [path, method] of [
      ["/api/admin/operators", "POST"],
      ["/api/admin/tokens", "POST"],
      [`/api/admin/operators/${scratchIds[0]}`, "PATCH"],
      ["/api/auth/login", "POST"],
    ] as const) {
      const before = await snapshot();
      const answer = await send({
        method,
        path,
        role: path === "/api/auth/login" ? "anonymous" : "admin",
        csrf: "right",
        origin: "same",
        contentType: "application/json",
        body: JSON.stringify({ name: "x".repeat(5_000_000), username: "x", password: "y" }),
      });
      expect([answer.status, expectErrorContract(answer, answer.text)]).toEqual([
        413,
        "payload_too_large",
      ]);
      expect(plain(await snapshot())).toEqual(plain(before));
    }
  });
});

describe("/api/auth/* under hostile input", () => {
  const loginBody = fc.record(
    {
      username: field(
        fc.constantFrom(VICTIM.username, "nobody", TEST_ADMIN.username.toUpperCase()),
      ),
      password: field(fc.constantFrom(VICTIM.password, "wrong-password")),
      extra: wrongType,
    },
    { requiredKeys: [] },
  );
  const formBody = fc
    .record(
      {
        username: field(fc.constantFrom(VICTIM.username, "nobody")),
        password: field(fc.constant("wrong-password")),
        next: field(fc.constantFrom("/clients", "//evil.example", "https://evil.example/")),
      },
      { requiredKeys: [] },
    )
    .map((r) =>
      new URLSearchParams(
        Object.entries(r).map(([k, v]): [string, string] => [
          k,
          typeof v === "string" ? v : JSON.stringify(v),
        ]),
      ).toString(),
    );

  it("POST /api/auth/login: a session or a precise refusal, never a 500, no session on failure", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          bodyText(loginBody).map((body) => ({
            body,
            contentType: "application/json",
          })),
          fc.record({
            body: formBody,
            contentType: fc.constant("application/x-www-form-urlencoded"),
          }),
          fc.record({ body: bodyText(loginBody), contentType: contentTypeArb }),
        ),
        originArb,
        async ({ body, contentType }, origin) => {
          const before = await database.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM operator_session",
          );
          const call: Call = {
            method: "POST",
            path: "/api/auth/login",
            body,
            contentType,
            role: "anonymous",
            csrf: "none",
            origin,
          };
          const answer = await send(call);
          const context = describeCall(call, answer);
          expect(answer.status, context).toBeLessThan(500);
          const created =
            (await database.query<{ n: number }>("SELECT count(*)::int AS n FROM operator_session"))
              .rows[0]!.n - before.rows[0]!.n;
          const form = /x-www-form-urlencoded|multipart\/form-data/.test(contentType ?? "");
          if (origin !== "none" && origin !== "same") {
            expect([answer.status, expectErrorContract(answer, context)], context).toEqual([
              403,
              "csrf_failed",
            ]);
          } else if (answer.status === 303) {
            // A plain form post: back to the login page with a reason, or on to a same-site page.
            expect(form, context).toBe(true);
            const location = answer.headers.get("location")!;
            expect(location, context).toMatch(/^\/(?!\/)/);
            if (location.startsWith("/login?")) expect(created, context).toBe(0);
            return;
          } else if (answer.status === 200) {
            expect(answer.body, context).toMatchObject({
              username: VICTIM.username,
              role: "viewer",
            });
          } else {
            expectErrorContract(answer, context);
          }
          expect(created, context).toBe(answer.status === 200 ? 1 : 0);
        },
      ),
      { numRuns: runs(300) },
    );
  }, 600_000);

  it("POST /api/auth/logout: only with the session and its CSRF token; refusals keep the session", async () => {
    await fc.assert(
      fc.asyncProperty(
        csrfArb,
        originArb,
        fc.boolean(),
        bodyText(wrongType),
        async (csrf, origin, anonymous, body) => {
          const own = await loginAs(VIEWER.username, VIEWER.password);
          const saved = viewer;
          viewer = own;
          try {
            const call: Call = {
              method: "POST",
              path: "/api/auth/logout",
              role: anonymous ? "anonymous" : "viewer",
              csrf,
              origin,
              body,
            };
            const answer = await send(call);
            const context = describeCall(call, answer);
            const alive =
              (await fetch(`${app.url}/api/auth/me`, { headers: { cookie: own.cookie } }))
                .status === 200;
            // Logout reads no body, but one past the path's limit is refused
            // from its headers (after who asks and CSRF), as every other is.
            const tooLarge =
              Buffer.byteLength(body ?? "") > bodyLimitFor("/api/auth/logout")
                ? { status: 413, code: "payload_too_large" }
                : null;
            const gate = gateAnswer(call, false) ?? tooLarge;
            if (gate !== null) {
              expect([answer.status, expectErrorContract(answer, context)], context).toEqual([
                gate.status,
                gate.code,
              ]);
              expect(alive, context).toBe(true);
            } else {
              expect(answer.status, context).toBe(204);
              expect(alive, context).toBe(false);
            }
          } finally {
            viewer = saved;
          }
        },
      ),
      { numRuns: runs(40) },
    );
  }, 600_000);

  it("GET /api/auth/oidc/login: any `next` gives a redirect to the provider and a flow cookie a browser keeps", async () => {
    const nextArb = fc.oneof(
      hostileString(40).map((s) => `/${s}`),
      fc.string({ unit: "binary", maxLength: 1000 }).map((s) => `/${s}`),
      fc.constantFrom(
        "😀".repeat(1000),
        `/${"é".repeat(2000)}`,
        "//evil.example",
        "/\\evil",
        "https://evil.example/x",
        "",
      ),
      hostileString(40),
    );
    await fc.assert(
      fc.asyncProperty(nextArb, fc.boolean(), async (next, raw) => {
        const query = raw ? `next=${next}` : new URLSearchParams({ next }).toString();
        let url: URL;
        try {
          url = new URL(`${app.url}/api/auth/oidc/login?${query}`);
        } catch {
          return;
        }
        const call: Call = {
          method: "GET",
          path: url.pathname + url.search,
          role: "anonymous",
          csrf: "none",
          origin: "none",
        };
        const answer = await send(call);
        const context = describeCall(call, answer);
        expect(answer.status, context).toBe(302);
        expect(new URL(answer.headers.get("location")!).origin, context).toBe(provider.issuer);
        const cookie = answer.headers.getSetCookie().find((c) => c.startsWith("fleet_oidc="))!;
        // Browsers drop a cookie past 4096 bytes: the login could never finish.
        expect(cookie.length, context).toBeLessThan(4096);
      }),
      { numRuns: runs(200) },
    );
  }, 600_000);

  it("GET /api/auth/oidc/callback: any query and cookie land on the login page with a known code, no session", async () => {
    provider.accounts.set("sub-fuzz", {
      preferred_username: "fuzz-sso",
      email: "fuzz@example.com",
    });
    const started = await fetch(`${app.url}/api/auth/oidc/login?next=%2Fclients`, {
      redirect: "manual",
    });
    const flowCookie = started.headers.getSetCookie()[0]!.split(";")[0]!;
    const state = new URL(started.headers.get("location")!).searchParams.get("state")!;
    const paramArb = fc.tuple(
      fc.constantFrom("code", "state", "error", "error_description", "iss", "session_state", "x"),
      fc.oneof(
        hostileString(30),
        fc.constant(state),
        fc.constantFrom("access_denied", "", "x".repeat(2000)),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(paramArb, { maxLength: 5 }),
        fc.constantFrom("none", "real", "forged", "huge", "garbage"),
        async (pairs, cookieKind) => {
          const cookie = {
            none: undefined,
            real: flowCookie,
            forged: "fleet_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            huge: `fleet_oidc=${"A".repeat(5000)}`,
            garbage: "fleet_oidc=%%%; fleet_session=zzz",
          }[cookieKind];
          const query = new URLSearchParams(pairs).toString();
          const before = await database.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM operator_session",
          );
          const call: Call = {
            method: "GET",
            path: `/api/auth/oidc/callback?${query}`,
            role: "anonymous",
            csrf: "none",
            origin: "none",
            headers: cookie === undefined ? {} : { cookie },
          };
          const answer = await send(call);
          const context = describeCall(call, answer);
          expect(answer.status, context).toBe(303);
          const location = new URL(answer.headers.get("location")!, app.url);
          expect(location.pathname, context).toBe("/login");
          const code = location.searchParams.get("error")!;
          expect(OIDC_ERROR_CODES, context).toContain(code);
          // The redirect carries the error contract too, for clients that read it.
          expect(answer.body, context).toEqual({ error: { code, message: expect.any(String) } });
          const after = await database.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM operator_session",
          );
          expect(after.rows[0]!.n, context).toBe(before.rows[0]!.n);
        },
      ),
      { numRuns: runs(150) },
    );
    // The real flow still works after all that.
    const again = await fetch(`${app.url}/api/auth/oidc/login?next=%2F`, { redirect: "manual" });
    const back = await driveProvider(again.headers.get("location")!, app.url, {
      login: "sub-fuzz",
    });
    const done = await fetch(back, {
      redirect: "manual",
      headers: { cookie: again.headers.getSetCookie()[0]!.split(";")[0]! },
    });
    expect(done.status).toBe(200);
  }, 600_000);
});
