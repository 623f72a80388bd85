// Time travel on the fleet page: clicking a point of the online chart shows
// the fleet as it stood then (the URL keeps it, a banner says so, live
// updates pause), and "Back to live" returns. Axe-checked, light and dark.
import { expect, test, type Page } from "./support/test";
import { checkBothSchemes } from "./support/a11y";
import { connected, disconnected, ingest, uniqueId } from "./support/ingest";

const HOUR = 3_600_000;
const prefix = uniqueId("e2e-travel");
/** Online from 8 h ago until 2 h ago. */
const early = `${prefix}-early`;
/** First seen an hour ago, online since. */
const late = `${prefix}-late`;
/** TIME_TRAVEL_SHOTS=/tmp/dir saves the page, live and past, light and dark, to look at. */
const shots = process.env.TIME_TRAVEL_SHOTS;
const checks = { shots };

test.beforeAll(async () => {
  const now = Date.now();
  await ingest(
    connected(early, now - 8 * HOUR, 1),
    disconnected(early, now - 2 * HOUR, 1),
    connected(late, now - HOUR, 1),
  );
});

const row = (page: Page, clientId: string) =>
  page.locator(`[role="row"][data-client-id="${clientId}"]`);

// Two axe passes per colour scheme on a shared two-core machine: more than the default 30 s.
test.describe.configure({ timeout: 120_000 });

test("time-travel from the online chart, then back to live", async ({ page }) => {
  await page.goto(`/?q=${prefix}`);
  await expect(row(page, early)).toHaveAttribute("data-status", "offline");
  await expect(row(page, late)).toHaveAttribute("data-status", "online");
  await expect(page.getByTestId("past-banner")).toHaveCount(0);
  await checkBothSchemes(page, "fleet-live", checks);

  // Five hours back on the 24-hour chart (the plot spans x from 44 px to width - 12 px).
  const chart = page.getByTestId("online-chart-svg");
  const box = (await chart.boundingBox())!;
  const plot = box.width - 44 - 12;
  await chart.click({ position: { x: 44 + plot * (19 / 24), y: box.height / 2 } });

  await expect(page).toHaveURL(/asOf=/);
  const asOf = Date.parse(new URL(page.url()).searchParams.get("asOf")!);
  expect(Math.abs(asOf - (Date.now() - 5 * HOUR))).toBeLessThan(20 * 60_000);
  const banner = page.getByTestId("past-banner");
  await expect(banner).toContainText("Viewing the past");
  await expect(banner).toContainText("Live updates are paused");
  await expect(page.getByTestId("as-of-marker")).toHaveCount(1);
  await expect(row(page, early)).toHaveAttribute("data-status", "online");
  await expect(row(page, late)).toHaveAttribute("data-status", "never_seen");
  // The counts are the whole fleet's then (other specs share the database): as the API says.
  const then = await page.request.get(`/api/stats/summary?asOf=${new Date(asOf).toISOString()}`);
  const counts = (await then.json()) as { online: number };
  await expect(page.getByTestId("count-online")).toHaveText(String(counts.online));

  // Live updates are paused: a new event does not change the past.
  await ingest(disconnected(late, Date.now() - 60_000, 1));
  await page.waitForTimeout(1_500);
  await expect(row(page, late)).toHaveAttribute("data-status", "never_seen");
  await checkBothSchemes(page, "fleet-past", checks);

  // The URL keeps the moment: a reload shows the same past.
  await page.reload();
  await expect(page.getByTestId("past-banner")).toBeVisible();
  await expect(row(page, early)).toHaveAttribute("data-status", "online");

  await page.getByRole("button", { name: "Back to live" }).click();
  await expect(page).not.toHaveURL(/asOf=/);
  await expect(page.getByTestId("past-banner")).toHaveCount(0);
  await expect(row(page, early)).toHaveAttribute("data-status", "offline");
  await expect(row(page, late)).toHaveAttribute("data-status", "offline");
});

test("the date-time picker travels to the moment entered", async ({ page }) => {
  await page.goto(`/?q=${prefix}`);
  await expect(row(page, late)).toBeVisible();
  // Typed before React hydrates, the value would be reset: wait for the table's hydrated mark.
  await expect(page.locator('[data-testid="client-table-scroller"][data-hydrated]')).toBeVisible();
  const at = new Date(Date.now() - 7 * HOUR);
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const picker = page.getByLabel("View the fleet at", { exact: true });
  await picker.fill(local);
  await expect(picker).toHaveValue(local);
  await page.getByRole("button", { name: "View", exact: true }).click();
  await expect(page.getByTestId("past-banner")).toBeVisible();
  await expect(row(page, early)).toHaveAttribute("data-status", "online");
  await expect(row(page, late)).toHaveAttribute("data-status", "never_seen");
});
