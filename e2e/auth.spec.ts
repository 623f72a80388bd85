// Operator login end to end: the redirect to /login, returning to `next`
// (never to another site), the error messages, logout, and what a viewer
// may not do. Specs that must start logged out use an empty storage state;
// the suite's saved admin session is never logged out here.
import { expect, test, type Browser, type BrowserContext, type Page } from "./support/test";
import { safeNextPath } from "../components/auth/safe-next";
import { ADMIN_STATE, createOperator, LOGGED_OUT, logIn, TEST_ADMIN } from "./support/auth";
import { withDatabase } from "./support/database";
import { baseUrl, connected, ingest, uniqueId } from "./support/ingest";

const UNAUTHORIZED = { error: { code: "unauthorized", message: "Log in first." } };
const viewer = {
  username: uniqueId("e2e-viewer"),
  password: "viewer-password-1",
  role: "viewer" as const,
};
const lockable = {
  username: uniqueId("e2e-lockable"),
  password: "lockable-password-1",
  role: "viewer" as const,
};

async function asAdmin<T>(browser: Browser, fn: (context: BrowserContext) => Promise<T>) {
  const context = await browser.newContext({ storageState: ADMIN_STATE });
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

test.beforeAll(async ({ browser }) => {
  // A fleet that is not empty, so the pages show their toolbar (an empty one shows how to get data in).
  await ingest(connected(uniqueId("e2e-auth"), Date.now() - 60_000, 1));
  await asAdmin(browser, async (context) => {
    await createOperator(context, viewer);
    await createOperator(context, lockable);
  });
});

/** The login form's message (Next's route announcer is an empty role=alert too). */
const loginError = (page: Page) => page.locator("#login-error");

async function fillLogin(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("next= accepts only paths on this site", () => {
  const cases: [string | null, string][] = [
    ["/clients/a%2Fb?range=7d#t", "/clients/a%2Fb?range=7d#t"],
    ["/admin", "/admin"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    [null, "/"],
    ["", "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["\\\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["http:/evil.example", "/"],
    ["/login?next=%2Fadmin", "/"],
    [`/${"a".repeat(3000)}`, "/"],
  ];
  for (const [raw, expected] of cases)
    expect(safeNextPath(raw), JSON.stringify(raw)).toBe(expected);
});

test.describe("logged out", () => {
  test.use({ storageState: LOGGED_OUT });

  test("an anonymous visit to / goes to the login page, and the API refuses", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByLabel("Username")).toBeFocused();
    // Nothing of the dashboard: no live indicator, no user menu.
    await expect(page.locator("[data-stream-state]")).toHaveCount(0);
    const response = await page.request.get("/api/clients");
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual(UNAUTHORIZED);
  });

  test("logging in returns to the page that was asked for", async ({ page }) => {
    await page.goto("/?q=e2e-next&status=online");
    await expect(page).toHaveURL(/\/login\?next=%2F%3Fq%3De2e-next%26status%3Donline$/);
    await fillLogin(page, TEST_ADMIN.username, TEST_ADMIN.password);
    await expect(page).toHaveURL(/\/\?q=e2e-next&status=online$/);
    await expect(page.getByLabel("Search client ID")).toHaveValue("e2e-next");
    await expect(page.getByTestId("current-user")).toHaveText(TEST_ADMIN.username);
  });

  test("next= pointing at another site lands on the dashboard instead", async ({ page }) => {
    await page.goto(`/login?next=${encodeURIComponent("//evil.example/steal")}`);
    await fillLogin(page, TEST_ADMIN.username, TEST_ADMIN.password);
    await expect(page).toHaveURL(`${baseUrl()}/`);
  });

  test("a wrong password says so, keeps the username and clears the password", async ({ page }) => {
    await page.goto("/login");
    await fillLogin(page, viewer.username, "not-the-password");
    await expect(loginError(page)).toHaveAttribute("role", "alert");
    await expect(loginError(page)).toContainText("Invalid username or password.");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByLabel("Username")).toHaveValue(viewer.username);
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByLabel("Password")).toBeFocused();
    await expect(page.getByLabel("Password")).toHaveAttribute("aria-describedby", "login-error");
  });

  test("a locked account says so, and for how long", async ({ page }) => {
    // Locked as five failed logins lock it (lib/auth/operators.ts), set directly: the lockout
    // itself is tested in lib/, this is what the operator reads.
    await withDatabase(process.env.E2E_DATABASE_URL!, (c) =>
      c.query(
        "UPDATE operator SET locked_until = now() + interval '15 minutes' WHERE username = $1",
        [lockable.username],
      ),
    );
    await page.goto("/login");
    // Even the right password: the lock holds.
    await fillLogin(page, lockable.username, lockable.password);
    await expect(loginError(page)).toContainText("This account is locked.");
    await expect(loginError(page)).toContainText(/locked for 1[45] more minute\(s\)/);
  });

  test("rate limiting, an unreachable database and a network failure are explained", async ({
    page,
  }) => {
    // Simulated: reaching the real limit would lock the rest of the suite out too, and the
    // real database outage is in outage.spec.ts.
    const answers = [
      {
        status: 429,
        code: "too_many_requests",
        message: "Too many login attempts from this address; retry in 240 s.",
      },
      {
        status: 503,
        code: "database_unavailable",
        message: "The database is unreachable; retry later.",
      },
    ];
    await page.goto("/login");
    for (const answer of answers) {
      await page.route("**/api/auth/login", (route) =>
        route.fulfill({
          status: answer.status,
          json: { error: { code: answer.code, message: answer.message } },
        }),
      );
      // The form may send its request after fillLogin returns: unrouting before it
      // is answered would let the real login through (and the page moves on).
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/auth/login"));
      await fillLogin(page, viewer.username, viewer.password);
      await answered;
      await page.unroute("**/api/auth/login");
      if (answer.status === 429) {
        await expect(loginError(page)).toContainText("Too many login attempts.");
        await expect(loginError(page)).toContainText("retry in 240 s");
      } else {
        await expect(loginError(page)).toContainText("The database is unreachable.");
      }
    }
    await page.route("**/api/auth/login", (route) => route.abort("connectionrefused"));
    await fillLogin(page, viewer.username, viewer.password);
    await expect(loginError(page)).toContainText("The server cannot be reached.");
  });

  test("logging out ends the session: the old cookie no longer opens the API", async ({
    page,
    playwright,
  }) => {
    await logIn(page.request, TEST_ADMIN.username, TEST_ADMIN.password);
    await page.goto("/");
    await expect(page.getByTestId("current-user")).toHaveText(TEST_ADMIN.username);
    const session = (await page.context().cookies()).find((c) => c.name === "fleet_session");
    expect(session).toBeDefined();

    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain("fleet_session");

    // Revoked on the server, not just forgotten by the browser.
    const replay = await playwright.request.newContext({
      baseURL: baseUrl(),
      extraHTTPHeaders: { Cookie: `fleet_session=${session!.value}` },
    });
    const response = await replay.get("/api/clients");
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual(UNAUTHORIZED);
    await replay.dispose();
  });

  test("a viewer sees the fleet but cannot open /admin", async ({ page }) => {
    await logIn(page.request, viewer.username, viewer.password);
    await page.goto("/admin");
    await expect(page).toHaveURL(`${baseUrl()}/`);
    await expect(page.getByTestId("current-role")).toHaveText("viewer");
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Fleet" }),
    ).toBeVisible();
    await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);

    const list = await page.request.get("/api/admin/operators");
    expect(list.status()).toBe(403);
    expect(await list.json()).toEqual({
      error: { code: "forbidden", message: "Only admins may do this." },
    });
  });
});

test("an operator who is already logged in skips the login page", async ({ page }) => {
  // What a link from another site looks like: the SameSite=Strict cookie was not sent, the proxy asked for a login.
  await page.goto(`/login?next=${encodeURIComponent("/?status=offline")}`);
  await expect(page).toHaveURL(/\/\?status=offline$/);
  await expect(page.getByLabel("Status")).toHaveValue("offline");
});
