// A mass disconnect ingested through /api/ingest becomes an incident: it is
// listed, marked on the online chart, opens on its own page, and the device
// page links to it. Its own app instance and database, with detection every
// second, so the fleet's share and the markers are this spec's alone.
import { expect, test, type Page } from "./support/test";
import { migrate } from "../lib/db/migrate";
import { startApp, type AppServer } from "../test/support/app-server";
import { seriousViolations } from "./support/a11y";
import { logIn, TEST_ADMIN } from "./support/auth";
import { createScratchDatabase, E2E_TOKEN } from "./support/database";
import { connected, disconnected, envelope, type Payload } from "./support/ingest";

let app: AppServer | undefined;
let drop: (() => Promise<void>) | undefined;

const MIN = 60_000;
const dev = (i: number) => `site-a/pump-${String(i).padStart(2, "0")}`;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(60_000);
  const scratch = await createScratchDatabase(process.env.E2E_SERVER_URL!, "fleet_incidents");
  drop = scratch.drop;
  await migrate(scratch.url);
  app = await startApp({
    databaseUrl: scratch.url,
    env: { INGEST_TOKEN: E2E_TOKEN, INCIDENT_DETECTION_INTERVAL_SECONDS: "1" },
  });
  // 40 devices online for an hour; 30 drop within 3 s 20 minutes ago, 26 come back.
  const now = Date.now();
  const events: Payload[] = [];
  for (let i = 0; i < 40; i += 1) {
    events.push(connected(dev(i), now - 60 * MIN, 1, { ipAddress: `203.0.113.${i}` }));
    if (i >= 30) continue;
    const at = now - 20 * MIN + i * 100;
    events.push(
      disconnected(dev(i), at, 1, {
        disconnectReason: i % 5 === 0 ? "MQTT_KEEP_ALIVE_TIMEOUT" : "CONNECTION_LOST",
      }),
    );
    if (i < 26) events.push(connected(dev(i), at + (5 + i) * 1_000, 2));
  }
  const response = await fetch(`${app.url}/api/ingest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${E2E_TOKEN}` },
    body: JSON.stringify(events.map(envelope)),
  });
  expect(response.status).toBe(200);
});

test.afterAll(async () => {
  await app?.stop();
  await drop?.();
});

async function logInto(page: Page) {
  await logIn(page.request, TEST_ADMIN.username, TEST_ADMIN.password, app!.url);
}

test("the incident appears on the chart and opens from it; its page says who, why and how fast back", async ({
  page,
}) => {
  test.setTimeout(60_000);
  await logInto(page);
  // Detection runs in the app every second, after a 5-second start delay.
  await expect
    .poll(
      async () => {
        const r = await page.request.get(`${app!.url}/api/incidents`);
        return ((await r.json()) as { items: unknown[] }).items.length;
      },
      { timeout: 20_000 },
    )
    .toBe(1);
  await page.goto(`${app!.url}/`);
  const marker = page.getByRole("link", { name: /^Incident at .*: 30 clients dropped$/ });
  await expect(marker).toBeVisible();
  await marker.click();
  await expect(page.getByRole("heading", { name: "Clients that dropped (30)" })).toBeVisible();
  await expect(page.getByText("203.0.113.0/24")).toBeVisible();
  await expect(page.getByRole("link", { name: dev(7) })).toBeVisible();
  // 26 of 30 came back.
  await expect(page.getByRole("definition").filter({ hasText: /^26$/ })).toBeVisible();

  await page.getByRole("link", { name: dev(7) }).click();
  await expect(page.getByRole("heading", { name: "Fleet incidents" })).toBeVisible();
  await page.getByRole("link", { name: /^Incident of / }).click();
  await expect(page.getByRole("heading", { name: "Clients that dropped (30)" })).toBeVisible();
});

for (const colorScheme of ["light", "dark"] as const) {
  test(`incident list and page: no serious accessibility violations, screenshots (${colorScheme})`, async ({
    page,
  }) => {
    await logInto(page);
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app!.url}/incidents`);
    const open = page.getByRole("link", { name: /\d/ }).filter({ has: page.locator("time") });
    await expect(open.first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/incidents-list-${colorScheme}.png`, fullPage: true });
    await open.first().click();
    await expect(page.getByRole("heading", { name: "Clients that dropped (30)" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/incident-page-${colorScheme}.png`, fullPage: true });
    await page.goto(`${app!.url}/`);
    await expect(page.getByRole("link", { name: /^Incident at / })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/incidents-fleet-${colorScheme}.png` });
  });
}
