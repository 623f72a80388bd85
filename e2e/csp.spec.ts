// Every page carries a strict Content Security Policy with a fresh nonce
// (proxy.ts), and the pages still work under it: no violation is reported
// while they render, stream and open dialogs. An injected inline handler is
// blocked, which proves the listener would notice a violation.
import { expect, test, type Page, type Response } from "./support/test";
import { LOGGED_OUT, TEST_ADMIN } from "./support/auth";
import { connected, ingest, uniqueId } from "./support/ingest";

/** CSP violations and uncaught errors of a page, as they happen. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy"))
      problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

function expectStrictPolicy(response: Response | null): string {
  expect(response, "no response").not.toBeNull();
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'self'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  return /'nonce-([^']+)'/.exec(csp)![1]!;
}

test.describe("logged out", () => {
  test.use({ storageState: LOGGED_OUT });

  test("the login page works under the policy", async ({ page }) => {
    const problems = watch(page);
    const first = expectStrictPolicy(await page.goto("/login"));
    // A fresh nonce per response: one seen before is worth nothing.
    expect(expectStrictPolicy(await page.goto("/login?next=%2Fadmin"))).not.toBe(first);
    await page.getByLabel("Username").fill(TEST_ADMIN.username);
    await page.getByLabel("Password").fill(TEST_ADMIN.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
    expect(problems).toEqual([]);
  });
});

test("the fleet, device and admin pages work under the policy", async ({ page }) => {
  const clientId = uniqueId("e2e-csp");
  await ingest(connected(clientId, Date.now() - 60_000, 1));
  const problems = watch(page);

  expectStrictPolicy(await page.goto(`/?q=${clientId}`));
  await expect(
    page.locator(`[data-client-id="${clientId}"]`).filter({ visible: true }),
  ).toBeVisible();
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live");
  await expect(page.getByRole("img", { name: /^Online clients/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Disconnects per hour/ })).toBeVisible();
  // Client-side navigation loads more script chunks: they must pass too.
  await page.getByRole("link", { name: clientId }).click();
  await expect(page.getByTestId("device-client-id")).toHaveText(clientId);
  await expect(page.locator("svg rect[data-kind]")).toHaveCount(1);

  expectStrictPolicy(await page.goto("/admin"));
  await expect(page.getByTestId("operators-table")).toContainText(TEST_ADMIN.username);
  await page.getByRole("button", { name: `Reset password ${TEST_ADMIN.username}` }).click();
  await expect(page.getByTestId("reset-password-dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("reset-password-dialog")).toHaveCount(0);
  expect(problems).toEqual([]);

  // The policy is enforced, and this listener would have seen a violation: an
  // injected inline event handler (the classic XSS payload) does not run.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML(
      "beforeend",
      '<img alt="" src="data:," onerror="window.__injected = true">',
    ),
  );
  await expect.poll(() => problems.some((p) => p.includes("Content Security Policy"))).toBe(true);
  expect(
    await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected),
  ).toBeUndefined();
});
