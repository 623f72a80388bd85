import { expect, test } from "./support/test";
import { seriousViolations } from "./support/a11y";
import { LOGGED_OUT, submitRefusedLogin } from "./support/auth";
import { connected, disconnected, ingest, subscribed, uniqueId } from "./support/ingest";

const clientId = uniqueId("e2e-a11y");

test.beforeAll(async () => {
  const t = Date.now() - 3_600_000;
  await ingest(
    connected(clientId, t, 1),
    subscribed(clientId, t + 1_000, ["a11y/topic"]),
    disconnected(clientId, t + 60_000, 1),
    connected(clientId, t + 120_000, 2),
    connected(`${clientId}-neighbour`, t, 1),
  );
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`no serious accessibility violations on the fleet page (${colorScheme})`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.goto("/");
    await expect(
      page.locator('[role="row"][data-client-id]').filter({ visible: true }).first(),
    ).toBeVisible();
    // Both charts (online clients, disconnect reasons) are drawn before axe looks.
    await expect(page.getByRole("img", { name: /^Online clients/ })).toBeVisible();
    await expect(page.getByRole("img", { name: /^Disconnects per hour/ })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test(`no serious accessibility violations on the device page (${colorScheme})`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.goto(`/clients/${encodeURIComponent(clientId)}`);
    await expect(page.getByTestId("device-client-id")).toBeVisible();
    await expect(page.getByTestId("event-log")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`logged out (${colorScheme})`, () => {
    test.use({ storageState: LOGGED_OUT });

    test(`no serious accessibility violations on the login page, also with an error (${colorScheme})`, async ({
      page,
    }) => {
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      await page.goto("/login");
      await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled();
      expect(await seriousViolations(page)).toEqual([]);
      await submitRefusedLogin(page, "e2e-nobody", "not-a-password");
      expect(await seriousViolations(page)).toEqual([]);
    });
  });

  test(`no serious accessibility violations on the admin page, also with a dialog open (${colorScheme})`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.goto("/admin");
    await expect(page.locator("tr[data-operator]").first()).toBeVisible();
    await expect(page.getByTestId("tokens-table")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page
      .locator("tr[data-operator]")
      .first()
      .getByRole("button", { name: /Reset password/ })
      .click();
    await expect(page.getByTestId("reset-password-dialog")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test("the fleet table is usable from the keyboard", async ({ page }) => {
  // Arrow keys move between rows.
  await page.goto(`/?q=${clientId}&sort=clientId`);
  // The server's HTML shows the rows before React handles their keys.
  await expect(page.locator('[data-testid="client-table-scroller"][data-hydrated]')).toBeVisible();
  const first = page.locator('[data-row-index="0"] a');
  await first.focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.locator('[data-row-index="1"] a')).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await expect(first).toBeFocused();

  await page.goto(`/?q=${clientId}`);
  const link = page.getByRole("link", { name: clientId, exact: true });
  await expect(link).toBeVisible();
  await link.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("device-client-id")).toHaveText(clientId);
  await page.goBack();
  // "/" focuses the search box.
  await page.locator("body").click({ position: { x: 5, y: 200 } });
  await page.keyboard.press("/");
  await expect(page.getByLabel("Search client ID")).toBeFocused();
});
