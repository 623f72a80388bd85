import { readFile } from "node:fs/promises";
import { expect as baseExpect, test } from "./support/test";
import { checkBothSchemes } from "./support/a11y";
import { csrfToken } from "./support/auth";
import { resetData } from "./support/database";
import { connected, disconnected, ingest, uniqueId, uniqueLabelValue } from "./support/ingest";

const steady = uniqueId("e2e-avail-steady");
const restless = uniqueId("e2e-avail-restless");
const site = uniqueLabelValue("avail");
/** AVAILABILITY_SHOTS=/tmp/dir saves each page, light and dark, to look at. */
const shots = process.env.AVAILABILITY_SHOTS;
const H = 3_600_000;
// The machine these run on may be shared and busy: pages answer, if slowly.
const expect = baseExpect.configure({ timeout: 20_000 });
test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  // The first test needs a fleet younger than a day.
  await resetData(process.env.E2E_DATABASE_URL!);
});

test("a fleet younger than a whole day: the page shows the last 30 days instead", async ({
  page,
}) => {
  const fresh = uniqueId("e2e-avail-fresh");
  const today = Math.floor(Date.now() / (24 * H)) * 24 * H;
  await ingest(connected(fresh, Math.max(today + 1_000, Date.now() - H), 1));
  await page.goto("/availability");
  await expect(page.getByTestId("no-whole-days")).toBeVisible();
  await expect(
    page.getByRole("heading", { name: "Availability over the last 30 days" }),
  ).toBeVisible();
  await expect(page.getByTestId("availability-table")).toContainText(fresh);
  await checkBothSchemes(page, "availability-no-whole-days", { shots });
});

test("open the availability report, filter by label, download its CSV", async ({
  page,
  context,
}) => {
  const t = Date.now() - 3 * H;
  // Steady: online for the three hours since its first event. Restless: one hour of three.
  await ingest(
    connected(steady, t, 1),
    connected(restless, t, 1),
    disconnected(restless, t + H, 1),
  );
  const headers = { "X-CSRF-Token": await csrfToken(context) };
  for (const id of [steady, restless]) {
    const r = await context.request.put(`/api/clients/${encodeURIComponent(id)}/labels`, {
      headers,
      data: { labels: { site } },
    });
    expect(r.status(), await r.text()).toBe(200);
  }

  await page.goto("/");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Availability" })
    .click();
  await expect(page.getByRole("heading", { name: "Availability", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "30 days", exact: true }).click();
  await expect(page).toHaveURL(/span=30d/);
  await page.getByPlaceholder("key:value, e.g. site:berlin").fill(`site:${site}`);
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`label=site%3A${site}`));
  const rows = page.getByTestId("availability-table").locator("tbody tr");
  await expect(rows).toHaveCount(2);
  // Worst first.
  await expect(rows.nth(0)).toContainText(restless);
  // Observed until the report's end, the minute the page opened: about a third.
  await expect(rows.nth(0)).toContainText(/33\.\d %/);
  await expect(rows.nth(1)).toContainText(steady);
  await expect(rows.nth(1)).toContainText("100.0 %");
  await checkBothSchemes(page, "availability-report", { shots });

  const downloading = page.waitForEvent("download");
  await page.getByTestId("availability-csv-link").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^availability-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile(await download.path(), "utf8")).trim().split("\r\n");
  expect(lines[0]).toBe("clientId,availability,onlineSeconds,observedSeconds,disconnects,labels");
  expect(lines.slice(1).map((l) => l.split(",").slice(0, 2))).toEqual([
    [restless, expect.stringMatching(/^0\.33/)],
    [steady, "1"],
  ]);
});

test("the device page shows the range's availability with a bar per day", async ({ page }) => {
  await page.goto(`/clients/${encodeURIComponent(restless)}?range=7d`);
  const panel = page.getByRole("region", { name: "Availability over the selected range" });
  await expect(panel.getByTestId("device-availability")).toHaveText(/^33\.\d %$/);
  await expect(panel.getByTestId("availability-day").first()).toBeVisible();
  await expect(panel.getByTestId("availability-day")).toHaveCount(dayCount(7));
  await panel.scrollIntoViewIfNeeded();
  await checkBothSchemes(page, "device-availability", { shots });
});

/** UTC days touched by the last `days` days up to now. */
function dayCount(days: number): number {
  const to = Date.now();
  const from = to - days * 24 * H;
  return Math.ceil(to / (24 * H)) - Math.floor(from / (24 * H));
}

test("30 whole days: the UTC days before today, as the server keeps them ranked", async ({
  page,
  context,
}) => {
  const before = uniqueId("e2e-avail-before");
  const lastMonth = uniqueLabelValue("whole");
  const today = Math.floor(Date.now() / (24 * H)) * 24 * H;
  // First seen two days before today, online 12 hours of the 48 observed.
  await ingest(connected(before, today - 48 * H, 1), disconnected(before, today - 36 * H, 1));
  const r = await context.request.put(`/api/clients/${encodeURIComponent(before)}/labels`, {
    headers: { "X-CSRF-Token": await csrfToken(context) },
    data: { labels: { site: lastMonth } },
  });
  expect(r.status(), await r.text()).toBe(200);

  // The page opens on the kept whole days.
  await page.goto(`/availability?label=site%3A${lastMonth}`);
  await expect(page.getByRole("heading", { name: /whole UTC days/ })).toBeVisible();
  await expect(page.getByTestId("no-whole-days")).toHaveCount(0);
  await page.getByRole("button", { name: "30 days", exact: true }).click();
  await expect(
    page.getByRole("heading", { name: "Availability over the last 30 days" }),
  ).toBeVisible();
  await page.getByRole("button", { name: "30 whole days" }).click();
  await expect(page).toHaveURL(/span=days/);
  await expect(page.getByRole("heading", { name: /whole UTC days/ })).toBeVisible();
  const rows = page.getByTestId("availability-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText(before);
  await expect(rows.nth(0)).toContainText("25.0 %");
  await checkBothSchemes(page, "availability-whole-days", { shots });
});
