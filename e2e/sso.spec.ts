// The login page's single sign-on: the button only when OIDC is configured,
// and every failure code the SSO routes send back (/login?error=…) in words.
// The provider here is unreachable on purpose: the flow's real exchange is
// tested against a provider in lib/; this is what the operator sees.
import { expect, test } from "./support/test";
import { freePort } from "../lib/db/embedded";
import { startApp, type AppServer } from "../test/support/app-server";
import { LOGGED_OUT } from "./support/auth";

test.use({ storageState: LOGGED_OUT });

test("without OIDC settings the login page offers passwords only", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled();
  await expect(page.getByRole("link", { name: /Sign in with/ })).toHaveCount(0);
});

test("an SSO failure code is explained; unknown text from the URL is never shown", async ({
  page,
}) => {
  const cases = [
    ["account_disabled", "Your account is disabled."],
    ["domain_not_allowed", "Your email domain may not log in here."],
    ["login_expired", "The sign-in took too long."],
    ["<b>you have been hacked</b>", "Single sign-on failed."],
  ] as const;
  for (const [code, title] of cases) {
    await page.goto(`/login?error=${encodeURIComponent(code)}`);
    await expect(page.locator("#login-error")).toContainText(title);
    await expect(page.locator("body")).not.toContainText("hacked");
  }
});

test.describe("with OIDC configured", () => {
  let app: AppServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    const closedPort = await freePort();
    app = await startApp({
      databaseUrl: process.env.E2E_DATABASE_URL!,
      env: {
        OIDC_ISSUER: `http://127.0.0.1:${closedPort}/`,
        OIDC_CLIENT_ID: "fleet-e2e",
        OIDC_CLIENT_SECRET: "e2e-client-secret-that-is-long-enough",
        OIDC_LABEL: "Example ID",
      },
    });
  });

  test.afterAll(async () => {
    await app?.stop();
  });

  test("the button starts single sign-on and a provider outage comes back as a message", async ({
    page,
  }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (m.text().includes("Content Security Policy")) violations.push(m.text());
    });
    await page.goto(`${app!.url}/login?next=%2Fadmin`);
    const button = page.getByRole("link", { name: "Sign in with Example ID" });
    await expect(button).toHaveAttribute("href", "/api/auth/oidc/login?next=%2Fadmin");
    await button.click();
    await expect(page).toHaveURL(/\/login\?error=provider_unreachable&next=%2Fadmin$/);
    await expect(page.locator("#login-error")).toContainText(
      "The sign-in provider could not be reached.",
    );
    // Password login is still there.
    await expect(page.getByLabel("Password")).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/login-sso-error-light.png" });
    expect(violations).toEqual([]);
  });
});
