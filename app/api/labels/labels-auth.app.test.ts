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

const error = (code: string, message: string) => ({ error: { code, message } });
const labels = JSON.stringify({ labels: { site: "berlin" } });
const csv = "clientId,key,value\ndev-2,site,paris\n";

describe("label writes need an admin session and its CSRF token", () => {
  it.each([
    {
      name: "PUT without a session",
      path: "/api/clients/dev-1/labels",
      method: "PUT",
      as: () => null,
      status: 401,
      expected: error("unauthorized", "Log in first."),
    },
    {
      name: "PUT without the CSRF header",
      path: "/api/clients/dev-1/labels",
      method: "PUT",
      as: () => admin,
      status: 403,
      expected: error(
        "csrf_failed",
        "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
      ),
    },
    {
      name: "PUT with another session's CSRF token",
      path: "/api/clients/dev-1/labels",
      method: "PUT",
      as: () => admin,
      csrf: () => viewer.csrfToken,
      status: 403,
      expected: error(
        "csrf_failed",
        "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
      ),
    },
    {
      name: "PUT as a viewer",
      path: "/api/clients/dev-1/labels",
      method: "PUT",
      as: () => viewer,
      csrf: () => viewer.csrfToken,
      status: 403,
      expected: error("forbidden", "Only admins may do this."),
    },
    {
      name: "an import as a viewer",
      path: "/api/labels/import",
      method: "POST",
      as: () => viewer,
      csrf: () => viewer.csrfToken,
      type: "text/csv",
      body: csv,
      status: 403,
      expected: error("forbidden", "Only admins may do this."),
    },
    {
      name: "an import without the CSRF header",
      path: "/api/labels/import",
      method: "POST",
      as: () => admin,
      type: "text/csv",
      body: csv,
      status: 403,
      expected: error(
        "csrf_failed",
        "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
      ),
    },
  ])("refuses $name", async ({ path, method, as, csrf, type, body, status, expected }) => {
    const answer = await send(path, {
      method,
      as: as(),
      csrf: csrf?.(),
      type,
      body: body ?? labels,
    });
    expect(answer).toEqual({ status, body: expected });
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
