// The database goes away under an open page: the live indicator says so and
// the next read shows the error banner instead of stale silence.
import { expect, test } from "@playwright/test";
import { migrate } from "../lib/db/migrate";
import { startApp, type AppServer } from "../lib/testing/app-server";
import { createScratchDatabase, E2E_TOKEN } from "./support/database";
import { connected, envelope } from "./support/ingest";

let app: AppServer | undefined;
let drop: (() => Promise<void>) | undefined;

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const scratch = await createScratchDatabase(process.env.E2E_SERVER_URL!, "fleet_outage");
  drop = scratch.drop;
  await migrate(scratch.url);
  app = await startApp({ databaseUrl: scratch.url, env: { INGEST_TOKEN: E2E_TOKEN } });
  const response = await fetch(`${app.url}/api/ingest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${E2E_TOKEN}` },
    body: JSON.stringify(envelope(connected("outage-device", Date.now(), 1))),
  });
  expect(response.status).toBe(200);
});

test.afterAll(async () => {
  await app?.stop();
  await drop?.();
});

test("a database outage shows as reconnecting and an error banner", async ({ page }) => {
  await page.goto(`${app!.url}/`);
  await expect(page.locator('[data-client-id="outage-device"]')).toBeVisible();
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live");

  await drop!();
  drop = undefined;

  // The LISTEN connection died with the database.
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "reconnecting", {
    timeout: 10_000,
  });
  // Any new read now fails and says why.
  await page.getByLabel("Status").selectOption("offline");
  await expect(page.getByRole("alert").filter({ hasText: "cannot reach its API or database" })).toBeVisible({
    timeout: 10_000,
  });
  await page.screenshot({ path: "test-results/screenshots/fleet-outage.png" });
});
