// The label writes through the real, built app: the proxy's session and CSRF
// checks and the route's admin check, with the exact error bodies. Needs a
// production build (`npm run build`).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { upsertOperator } from "@/lib/auth/operators";
import { startApp, type AppServer, type OperatorSession } from "@/test/support/app-server";
import { resetDatabase } from "@/test/support/db";

const VIEWER = { username: "labels-viewer", password: "labels-viewer-password" };

let app: AppServer;
let admin: OperatorSession;
let viewer: OperatorSession;

beforeAll(async () => {
  await resetDatabase();
  await upsertOperator({ ...VIEWER, role: "viewer" });
  app = await startApp({ databaseUrl: inject("databaseUrl") });
  admin = await app.login();
  viewer = await app.login(VIEWER.username, VIEWER.password);
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

async function send(
  path: string,
  init: { method: string; as: OperatorSession | null; csrf?: string; body?: string; type?: string },
) {
  const headers: Record<string, string> = {
    "Content-Type": init.type ?? "application/json",
    Origin: app.url,
  };
  if (init.as !== null) headers.Cookie = init.as.cookie;
  if (init.csrf !== undefined) headers["X-CSRF-Token"] = init.csrf;
  const r = await fetch(`${app.url}${path}`, { method: init.method, headers, body: init.body });
  return { status: r.status, body: (await r.json()) as unknown };
}

const refusal = (status: number, code: string, message: string) => ({
  status,
  body: { error: { code, message } },
});
const UNAUTHORIZED = refusal(401, "unauthorized", "Log in first.");
const FORBIDDEN = refusal(403, "forbidden", "Only admins may do this.");
const CSRF_FAILED = refusal(
  403,
  "csrf_failed",
  "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
);
const labels = JSON.stringify({ labels: { site: "berlin" } });
const csv = "clientId,key,value\ndev-2,site,paris\n";
const PUT = { path: "/api/clients/dev-1/labels", method: "PUT" };
const IMPORT = { path: "/api/labels/import", method: "POST", type: "text/csv", body: csv };

type Who = "admin" | "viewer" | null;
const session = (who: Who) => (who === "admin" ? admin : who === "viewer" ? viewer : null);

describe("label writes need an admin session and its CSRF token", () => {
  // The request, whose session sends it, whose CSRF token it carries (null: no header), the answer.
  it.each<
    [string, { path: string; method: string; type?: string; body?: string }, Who, Who, object]
  >([
    ["PUT without a session", PUT, null, null, UNAUTHORIZED],
    ["PUT without the CSRF header", PUT, "admin", null, CSRF_FAILED],
    ["PUT with another session's CSRF token", PUT, "admin", "viewer", CSRF_FAILED],
    ["PUT as a viewer", PUT, "viewer", "viewer", FORBIDDEN],
    ["an import as a viewer", IMPORT, "viewer", "viewer", FORBIDDEN],
    ["an import without the CSRF header", IMPORT, "admin", null, CSRF_FAILED],
  ])("refuses %s", async (_, { path, method, type, body }, as, csrf, expected) => {
    const answer = await send(path, {
      method,
      as: session(as),
      csrf: session(csrf)?.csrfToken,
      type,
      body: body ?? labels,
    });
    expect(answer).toEqual(expected);
  });

  it("lets an admin with the CSRF token write, and a viewer read", async () => {
    expect(
      await send("/api/clients/dev-1/labels", {
        method: "PUT",
        as: admin,
        csrf: admin.csrfToken,
        body: labels,
      }),
    ).toEqual({ status: 200, body: { labels: { site: "berlin" } } });
    expect(
      await send("/api/labels/import", {
        method: "POST",
        as: admin,
        csrf: admin.csrfToken,
        type: "text/csv",
        body: csv,
      }),
    ).toEqual({ status: 200, body: { clients: 1, labels: 1, rejected: [] } });
    expect(await send("/api/clients/dev-2/labels", { method: "GET", as: viewer })).toEqual({
      status: 200,
      body: { labels: { site: "paris" } },
    });
  });
});
