// API tokens against the real app over HTTP: the proxy turns a valid bearer
// token into a principal of its role on every read and admin API (walked
// from the OpenAPI tables below), and refuses the rest with the exact error
// bodies a script can act on.
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "../../test/support/app-server";
import { OPERATIONS } from "../openapi/operations";

const WELL_SHAPED_UNKNOWN = `Bearer fpa_${"A".repeat(43)}`;

let app: AppServer;
let db: pg.Client;
const tokens: Record<"viewer" | "admin" | "revoked" | "expired", { id: string; token: string }> =
  {} as never;

async function create(body: unknown): Promise<Response> {
  return app.fetch("/api/admin/api-tokens", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
  db = new pg.Client({ connectionString: inject("databaseUrl") });
  await db.connect();
  for (const [key, role] of [
    ["viewer", "viewer"],
    ["admin", "admin"],
    ["revoked", "admin"],
    ["expired", "viewer"],
  ] as const) {
    const response = await create({
      name: `auth-table ${key}`,
      role,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(response.status).toBe(201);
    tokens[key] = (await response.json()) as { id: string; token: string };
  }
  expect(
    (await app.fetch(`/api/admin/api-tokens/${tokens.revoked.id}`, { method: "DELETE" })).status,
  ).toBe(200);
  // Expiry is a moment in the database; moving it into the past is what waiting would do.
  await db.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [
    tokens.expired.id,
  ]);
}, 90_000);
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

const error = (code: string, message: string) => ({ error: { code, message } });
/** The answer to a token sent in the query string, beside a header or not. */
const TOKEN_IN_URL = error(
  "unauthorized",
  "Tokens are not accepted in the URL; send Authorization: Bearer <token>.",
);

async function call(
  path: string,
  authorization: string | null,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (authorization !== null) headers.set("Authorization", authorization);
  const response = await fetch(`${app.url}${path}`, { ...init, headers });
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    body: type.includes("json") ? await response.json() : (await response.text()).slice(0, 20),
  };
}

describe("Authorization: Bearer <API token>", () => {
  const bearer = (key: keyof typeof tokens): string => `Bearer ${tokens[key].token}`;

  it.each([
    // [case, path, credential, method, status, body]
    ["viewer reads", "/api/clients?limit=1", "@viewer", "GET", 200, null],
    ["viewer reads the summary", "/api/stats/summary", "@viewer", "GET", 200, null],
    ["admin reads an admin API", "/api/admin/operators", "@admin", "GET", 200, null],
    [
      "viewer on an admin API",
      "/api/admin/operators",
      "@viewer",
      "GET",
      403,
      error("forbidden", "Only admins may do this."),
    ],
    [
      "viewer on an admin write elsewhere",
      "/api/alerts/silences",
      "@viewer",
      "POST",
      403,
      error("forbidden", "Only admins may do this."),
    ],
    [
      "revoked",
      "/api/clients",
      "@revoked",
      "GET",
      401,
      error("unauthorized", "The API token has been revoked."),
    ],
    [
      "expired",
      "/api/clients",
      "@expired",
      "GET",
      401,
      error("unauthorized", "The API token has expired."),
    ],
    [
      "malformed token",
      "/api/clients",
      "Bearer not-a-token",
      "GET",
      401,
      error("unauthorized", "The bearer token is malformed."),
    ],
    [
      "not a bearer scheme",
      "/api/clients",
      "Basic YTpi",
      "GET",
      401,
      error("unauthorized", "The Authorization header must be Bearer <token>."),
    ],
    [
      "unknown token of the right shape",
      "/api/clients",
      WELL_SHAPED_UNKNOWN,
      "GET",
      401,
      error("unauthorized", "The bearer token is not valid."),
    ],
    [
      "token in the query string",
      `/api/clients?access_token=@viewer`,
      null,
      "GET",
      401,
      TOKEN_IN_URL,
    ],
    ["token as any query value", `/api/clients?q=@viewer`, null, "GET", 401, TOKEN_IN_URL],
    [
      "token in the query beside a valid header",
      `/api/clients?token=@viewer`,
      "@viewer",
      "GET",
      401,
      TOKEN_IN_URL,
    ],
  ] as const)("%s: %s → %i", async (_case, path, credential, method, status, body) => {
    const url = path.replace("@viewer", encodeURIComponent(tokens.viewer.token));
    const init: RequestInit =
      method === "POST"
        ? { method, headers: { "Content-Type": "application/json" }, body: "{}" }
        : { method };
    const key = credential?.startsWith("@") ? (credential.slice(1) as keyof typeof tokens) : null;
    const result = await call(url, key !== null ? bearer(key) : credential, init);
    expect(result.status).toBe(status);
    if (body !== null) expect(result.body).toEqual(body);
  });

  it("an admin token writes without a cookie or CSRF header", async () => {
    const result = await call("/api/admin/api-tokens", bearer("admin"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "made by a token", role: "viewer" }),
    });
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ name: "made by a token", role: "viewer", expiresAt: null });
    const { rows } = await db.query(
      `SELECT actor FROM audit_event WHERE action = 'api_token.create' AND target_id = $1`,
      [(result.body as { id: string }).id],
    );
    expect(rows).toEqual([{ actor: "token:auth-table admin" }]);
  });

  it("scrapes /metrics with a viewer token", async () => {
    const response = await fetch(`${app.url}/metrics`, {
      headers: { Authorization: bearer("viewer") },
    });
    expect(response.status).toBe(200);
    const names = parsePrometheusTextFormat(await response.text()).map((f) => f.name);
    expect(names).toContain("fleet_clients");
    const revoked = await call("/metrics", bearer("revoked"));
    expect(revoked).toEqual({
      status: 401,
      body: error("unauthorized", "The API token has been revoked."),
    });
  });

  it("records the last use", async () => {
    const { rows } = await db.query(`SELECT last_used_at FROM api_token WHERE id = $1`, [
      tokens.viewer.id,
    ]);
    expect(rows[0].last_used_at).toBeInstanceOf(Date);
  });
});

describe("managing API tokens", () => {
  it("shows a token once and stores only its hash", async () => {
    const response = await create({ name: "shown once", role: "admin" });
    const created = (await response.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ name: "shown once", role: "admin", state: "active" });
    expect(created.token).toMatch(/^fpa_[A-Za-z0-9_-]{43}$/);
    const list = (await (await app.fetch("/api/admin/api-tokens")).json()) as {
      items: Array<Record<string, unknown>>;
    };
    const listed = list.items.find((t) => t.id === created.id)!;
    expect(listed).not.toHaveProperty("token");
    expect(JSON.stringify(list)).not.toContain(created.token as string);
    const { rows } = await db.query(`SELECT token_hash FROM api_token WHERE id = $1`, [created.id]);
    expect(rows[0].token_hash).not.toContain(created.token as string);
  });

  it("lists revoked and expired tokens with their state, and who revoked", async () => {
    const { items } = (await (await app.fetch("/api/admin/api-tokens")).json()) as {
      items: Array<{ id: string; state: string; revokedBy: string | null }>;
    };
    expect(items.find((t) => t.id === tokens.revoked.id)).toMatchObject({
      state: "revoked",
      revokedBy: "test-admin",
    });
    expect(items.find((t) => t.id === tokens.expired.id)).toMatchObject({ state: "expired" });
    const { rows } = await db.query(
      `SELECT action, actor FROM audit_event WHERE target_type = 'api_token' AND target_id = $1 ORDER BY id`,
      [tokens.revoked.id],
    );
    expect(rows).toEqual([
      { action: "api_token.create", actor: "test-admin" },
      { action: "api_token.revoke", actor: "test-admin" },
    ]);
  });

  it.each([
    [{ name: "x", role: "root" }, "role: role must be viewer or admin"],
    [{ role: "viewer" }, "name"],
    [{ name: "x", role: "viewer", expiresAt: "tomorrow" }, "expiresAt"],
    [
      { name: "x", role: "viewer", expiresAt: "2020-01-01T00:00:00Z" },
      "expiresAt must be in the future.",
    ],
  ])("refuses %j with a 400 naming the field", async (body, message) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("invalid_body");
    expect(answer.error.message).toContain(message);
  });

  it("revoking twice keeps the first revocation; an unknown id is 404", async () => {
    const again = await app.fetch(`/api/admin/api-tokens/${tokens.revoked.id}`, {
      method: "DELETE",
    });
    expect(again.status).toBe(200);
    expect(
      (
        await db.query(
          `SELECT count(*)::int AS n FROM audit_event WHERE action = 'api_token.revoke' AND target_id = $1`,
          [tokens.revoked.id],
        )
      ).rows[0].n,
    ).toBe(1);
    const missing = await app.fetch(`/api/admin/api-tokens/999999999`, { method: "DELETE" });
    expect(missing.status).toBe(404);
  });
});

/**
 * Every operation of the OpenAPI tables that needs a viewer or an admin
 * (openapi.app.test.ts holds the tables to the route files), called with a
 * viewer token and an admin token and nothing else: a route that ignores
 * tokens (asks for a cookie), or lets a viewer write, fails here.
 */
describe("every read and admin API takes API tokens", () => {
  const concrete = (template: string) =>
    template
      .replace("{clientId}", "token-table-probe")
      .replace("{id}", "00000000-0000-4000-8000-000000000000");
  const guarded = OPERATIONS.filter((op) => op.access === "viewer" || op.access === "admin");

  async function statusOf(
    op: (typeof OPERATIONS)[number],
    token: string,
  ): Promise<{ status: number; body: unknown }> {
    const controller = new AbortController();
    const writes = op.method !== "get" && op.method !== "delete";
    const response = await fetch(`${app.url}${concrete(op.path)}`, {
      method: op.method.toUpperCase(),
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      // A body every write refuses (400) once past the role check: nothing changes;
      // DELETEs and the channel test find nothing at the probe id (404).
      ...(writes ? { body: "42" } : {}),
      redirect: "manual",
      signal: controller.signal,
    });
    const type = response.headers.get("content-type") ?? "";
    const body = type.includes("application/json") ? await response.json() : null;
    controller.abort(); // GET /api/stream never ends by itself
    return { status: response.status, body };
  }

  it("walks a fair number of operations", () => {
    expect(guarded.filter((op) => op.access === "viewer").length).toBeGreaterThan(20);
    expect(guarded.filter((op) => op.access === "admin").length).toBeGreaterThan(20);
  });

  it.each(guarded.map((op) => [op.method.toUpperCase(), op.path, op.access, op] as const))(
    "%s %s (%s)",
    async (_method, _path, access, op) => {
      const asViewer = await statusOf(op, tokens.viewer.token);
      const asAdmin = await statusOf(op, tokens.admin.token);
      // Past authentication and authorisation: whatever the route answers then, not 401/403/5xx.
      expect([401, 403]).not.toContain(asAdmin.status);
      expect(asAdmin.status).toBeLessThan(500);
      if (access === "viewer") {
        expect([401, 403]).not.toContain(asViewer.status);
        expect(asViewer.status).toBeLessThan(500);
      } else {
        expect(asViewer).toEqual({
          status: 403,
          body: error("forbidden", "Only admins may do this."),
        });
      }
    },
  );
});
