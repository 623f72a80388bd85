// Sessions for the specs: the saved admin login, fresh logins for other
// operators, and API calls the way the UI makes them (cookie + CSRF header).
import { expect, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { TEST_ADMIN } from "../../test/support/app-server";

export { TEST_ADMIN };

/** The test admin's cookies, written by auth.setup.ts (test-results/ is never committed). */
export const ADMIN_STATE = "test-results/.auth/admin.json";

/** An empty storage state: for specs that must start logged out. */
export const LOGGED_OUT = { cookies: [], origins: [] };

/** The CSRF cookie of a context: writes echo it in X-CSRF-Token (double submit). */
export async function csrfToken(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === "fleet_csrf");
  expect(cookie, "the context has no fleet_csrf cookie: not logged in?").toBeDefined();
  return cookie!.value;
}

/** Logs `request` (a context's request, so the cookies land in the context) in as someone. */
export async function logIn(
  request: APIRequestContext,
  username: string,
  password: string,
  baseUrl = "",
): Promise<void> {
  const response = await request.post(`${baseUrl}/api/auth/login`, {
    data: { username, password },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Creates an operator through the admin API of a logged-in admin context; returns its id. */
export async function createOperator(
  context: BrowserContext,
  operator: { username: string; password: string; role: "viewer" | "admin" },
): Promise<string> {
  const response = await context.request.post("/api/admin/operators", {
    data: operator,
    headers: { "X-CSRF-Token": await csrfToken(context) },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/**
 * Submits the login form and has it answered as a wrong password would be,
 * simulated: a real wrong password would count towards someone's lockout.
 */
export async function submitRefusedLogin(page: Page, username: string, password: string) {
  await page.route("**/api/auth/login", (route) =>
    route.fulfill({
      status: 401,
      json: { error: { code: "unauthorized", message: "Invalid username or password." } },
    }),
  );
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#login-error")).toBeVisible();
}
