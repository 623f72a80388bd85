// For machines, in the browser: an admin creates an API token on the admin
// page (shown once), a script uses it, and once revoked it is refused; the
// API reference page renders the OpenAPI document under the strict CSP with
// no console error. Screenshots of both, light and dark, for a human.
import { expect, test, type ConsoleMessage, type Page, type Request } from "./support/test";
import { seriousViolations } from "./support/a11y";
import { baseUrl, uniqueId } from "./support/ingest";

const DIR = "test-results/screenshots";

async function callWith(token: string, path = "/api/clients?limit=1") {
  return fetch(`${baseUrl()}${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

/**
 * Console errors, CSP violations and uncaught exceptions of a page, as they
 * happen, until `stop` removes these listeners (and only these: the shared
 * fixture's stay, e2e/support/test.ts).
 */
function watch(page: Page): { problems: string[]; stop: () => void } {
  const problems: string[] = [];
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() === "error" || message.text().includes("Content Security Policy"))
      problems.push(`console ${message.type()}: ${message.text()}`);
  };
  const onPageError = (error: Error) => problems.push(`pageerror: ${error.message}`);
  // Aborted requests are navigation's doing (prefetches, the live stream on reload).
  const onRequestFailed = (request: Request) => {
    const reason = request.failure()?.errorText ?? "";
    if (reason !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} ${reason}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("requestfailed", onRequestFailed);
  const stop = () => {
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    page.off("requestfailed", onRequestFailed);
  };
  return { problems, stop };
}

test("an admin creates an API token, sees it once, a script uses it, and revoked it is refused", async ({
  page,
}) => {
  const { problems } = watch(page);
  const name = uniqueId("e2e-api-token");
  await page.goto("/admin");
  const panel = page.getByRole("region", { name: "API tokens" });
  await panel.getByLabel("Name (who or what uses it)").fill(name);
  await panel.getByLabel("Role").selectOption("viewer");
  await panel.getByLabel("Expires after").selectOption({ label: "30 days" });
  await panel.getByRole("button", { name: "Create API token" }).click();

  const notice = panel.getByTestId("new-token");
  await expect(notice).toContainText(`Copy the token “${name}” now`);
  await expect(notice).toContainText("read everything");
  const token = await panel.getByTestId("new-token-value").inputValue();
  expect(token).toMatch(/^fpa_[A-Za-z0-9_-]{43}$/);
  const row = page.locator(`tr[data-api-token="${name}"]`);
  await expect(row).toContainText(`${token.slice(0, 10)}…`);
  await expect(row).toContainText("viewer");
  await expect(row.getByTestId("api-token-status")).toHaveText("active");

  expect((await callWith(token)).status).toBe(200);
  // Shown once: after the notice is dismissed, and after a reload, the page no longer holds it.
  await panel.getByRole("button", { name: "I have copied it" }).click();
  await expect(notice).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(token);

  await row.getByRole("button", { name: /Revoke/ }).click();
  const dialog = page.getByTestId("confirm-dialog");
  await expect(dialog).toContainText(`Revoke the API token “${name}”?`);
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByTestId("api-token-status")).toContainText("revoked");
  await expect(row.getByTestId("api-token-status")).toContainText("by ");

  const refused = await callWith(token);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toEqual({
    error: { code: "unauthorized", message: "The API token has been revoked." },
  });
  expect(problems).toEqual([]);
});

test("the API reference renders the OpenAPI document under the CSP without console errors", async ({
  page,
}) => {
  test.setTimeout(90_000); // a 5 MB renderer, twice, on a busy machine
  for (const colorScheme of ["light", "dark"] as const) {
    const { problems, stop } = watch(page);
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    const response = await page.goto("/api-reference");
    expect(response?.headers()["content-security-policy"]).toMatch(
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/,
    );
    const reference = page.getByTestId("api-reference");
    await expect(reference.getByRole("heading", { name: "Fleet presence API" })).toBeVisible({
      timeout: 20_000,
    });
    // Operations from the document are listed (a route from each end of the table).
    await expect(
      reference.getByText("List clients with status", { exact: false }).first(),
    ).toBeVisible();
    // The sidebar groups every tag of the table, the admin APIs last.
    await expect(reference.getByRole("button", { name: "Open Group - Admin" })).toBeAttached();
    await page.waitForTimeout(500); // late errors (fonts, lazy chunks) would show up by now
    await page.screenshot({ path: `${DIR}/api-reference-${colorScheme}.png` });
    expect(problems).toEqual([]);
    // The app's own frame; the renderer's markup is Scalar's.
    expect(await seriousViolations(page, '[data-testid="api-reference"]')).toEqual([]);
    stop();
  }
});

test("screenshots of the admin page's API tokens, light and dark", async ({ page }) => {
  const headers = {
    "X-CSRF-Token":
      (await page.context().cookies()).find((c) => c.name === "fleet_csrf")?.value ?? "",
  };
  for (const [name, role] of [
    ["prometheus", "viewer"],
    ["deploy script", "admin"],
  ] as const) {
    const created = await page.request.post("/api/admin/api-tokens", {
      headers,
      data: { name: uniqueId(name), role },
    });
    expect(created.status()).toBe(201);
  }
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.goto("/admin");
    const panel = page.getByRole("region", { name: "API tokens" });
    await expect(panel.locator("tr[data-api-token]").first()).toBeVisible({ timeout: 15_000 });
    await panel.scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await panel.screenshot({ path: `${DIR}/admin-api-tokens-${colorScheme}.png` });
    expect(await seriousViolations(page)).toEqual([]);
  }
});
