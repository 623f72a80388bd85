// Failures under an open page: an app instance restarts (the stream
// reconnects and the view resyncs what it missed), then the database goes
// away (the indicator says so and reads show the error banner).
import { expect, test, type Page } from "./support/test";
import { migrate } from "../lib/db/migrate";
import { startApp, type AppServer } from "../test/support/app-server";
import { logIn, TEST_ADMIN } from "./support/auth";
import { createScratchDatabase, E2E_TOKEN } from "./support/database";
import { connected, disconnected, envelope, type Payload } from "./support/ingest";

let app: AppServer | undefined;
let other: AppServer | undefined;
let drop: (() => Promise<void>) | undefined;

async function ingestInto(server: AppServer, payload: Payload) {
  const response = await fetch(`${server.url}/api/ingest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${E2E_TOKEN}` },
    body: JSON.stringify(envelope(payload)),
  });
  expect(response.status).toBe(200);
}

test.describe.configure({ mode: "serial" });

/**
 * These instances have their own database, so the suite's saved session means
 * nothing to them: log in there. Cookies are per host, not per port, so this
 * replaces the saved cookies in this test's context only.
 */
async function logInto(server: AppServer, page: Page) {
  await logIn(page.request, TEST_ADMIN.username, TEST_ADMIN.password, server.url);
}

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const scratch = await createScratchDatabase(process.env.E2E_SERVER_URL!, "fleet_outage");
  drop = scratch.drop;
  await migrate(scratch.url);
  const env = { INGEST_TOKEN: E2E_TOKEN };
  [app, other] = await Promise.all([
    startApp({ databaseUrl: scratch.url, env }),
    startApp({ databaseUrl: scratch.url, env }),
  ]);
  await ingestInto(app, connected("outage-device", Date.now() - 60_000, 1));
});

test.afterAll(async () => {
  await Promise.all([app?.stop(), other?.stop()]);
  await drop?.();
});

test("after its app instance restarts, the page reconnects and shows what it missed", async ({
  page,
}) => {
  test.setTimeout(45_000);
  await logInto(app!, page);
  await page.goto(`${app!.url}/`);
  const row = page.locator('[data-client-id="outage-device"]').filter({ visible: true });
  await expect(row).toHaveAttribute("data-status", "online");
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live");
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  app!.kill("SIGKILL");
  await expect(page.locator("[data-stream-state]")).toHaveAttribute(
    "data-stream-state",
    "reconnecting",
  );
  // Meanwhile another instance takes a change the page never hears about.
  await ingestInto(other!, disconnected("outage-device", Date.now() - 10 * 60_000, 1));
  await app!.restart();

  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live", {
    timeout: 15_000,
  });
  await expect(row).toHaveAttribute("data-status", "offline", { timeout: 5_000 });
  expect(
    await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload),
  ).toBe(true);
});

test("a database outage shows as reconnecting and an error banner", async ({ page }) => {
  await logInto(app!, page);
  await page.goto(`${app!.url}/`);
  await expect(
    page.locator('[data-client-id="outage-device"]').filter({ visible: true }),
  ).toBeVisible();
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live");

  await drop!();
  drop = undefined;

  // The LISTEN connection died with the database.
  await expect(page.locator("[data-stream-state]")).toHaveAttribute(
    "data-stream-state",
    "reconnecting",
    {
      timeout: 10_000,
    },
  );
  // Any new read now fails and says why.
  await page.getByLabel("Status").selectOption("offline");
  await expect(
    page.getByRole("alert").filter({ hasText: "cannot reach its API or database" }),
  ).toBeVisible({
    timeout: 10_000,
  });
  await page.screenshot({ path: "test-results/screenshots/fleet-outage.png" });
});
