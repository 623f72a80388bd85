// Logs in as the test admin through the real login page, once, and saves
// the session cookies: every spec of the "e2e" project starts logged in.
import { expect, test as setup } from "@playwright/test";
import { ADMIN_STATE, TEST_ADMIN } from "./support/auth";

setup("log in as the test admin", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await page.getByLabel("Username").fill(TEST_ADMIN.username);
  await page.getByLabel("Password").fill(TEST_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("current-user")).toHaveText(TEST_ADMIN.username);
  await page.context().storageState({ path: ADMIN_STATE });
});
