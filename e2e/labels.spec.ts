import { expect, test } from "./support/test";
import { checkBothSchemes } from "./support/a11y";
import { connected, ingest, uniqueId, uniqueLabelValue } from "./support/ingest";

const labelled = uniqueId("e2e-labelled");
const other = uniqueId("e2e-unlabelled");
const site = uniqueLabelValue("site");
/** LABELS_SHOTS=/tmp/dir saves each page, light and dark, to look at. */
const shots = process.env.LABELS_SHOTS;

test.beforeAll(async () => {
  const t = Date.now() - 600_000;
  await ingest(connected(labelled, t, 1), connected(other, t + 1_000, 1));
});

test("label a device on its page, then filter the fleet by that label", async ({ page }) => {
  await page.goto(`/clients/${encodeURIComponent(labelled)}`);
  const panel = page.getByRole("region", { name: "Labels" });
  await expect(panel.getByText("No labels.")).toBeVisible();
  await panel.getByRole("button", { name: "Edit labels" }).click();
  await panel.getByLabel("Label 1 key").fill("Site");
  await expect(panel.getByRole("alert")).toContainText("label key 'Site' must match");
  await panel.getByLabel("Label 1 key").fill("site");
  await panel.getByLabel("Label 1 value").fill(site);
  await checkBothSchemes(page, "device-labels-editing", { shots });
  await panel.getByRole("button", { name: "Save labels" }).click();
  await expect(panel.getByRole("list", { name: "Labels" })).toContainText(`site: ${site}`);
  await checkBothSchemes(page, "device-labels", { shots });

  await page.goto("/");
  // The facet (key `site` by default) counts the device under its value.
  const facetValue = page
    .getByRole("region", { name: "By label" })
    .getByRole("button", { name: new RegExp(site) });
  await expect(facetValue).toContainText("1 of 1 online (100%)");
  // With its online line over the chart's range (the device has been online for 10 minutes).
  await expect(facetValue.locator("svg polyline")).toHaveCount(1);
  await page.getByPlaceholder("key:value, e.g. site:berlin").fill(`site:${site}`);
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`label=site%3A${site}`));
  const rows = page.locator('[role="row"][data-client-id]');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-client-id", labelled);
  await expect(rows.first()).toContainText(`site: ${site}`);
  await expect(page.getByRole("heading", { name: `Online clients · site: ${site}` })).toBeVisible();
  // The count tiles change with the filter: measured once their transition is over.
  await checkBothSchemes(page, "fleet-label-filter", { shots });

  // A shared link opens with the filter; removing it brings the other device back.
  await page.reload();
  await expect(rows).toHaveCount(1);
  await page.getByRole("button", { name: `Remove label filter site:${site}` }).click();
  await expect(page.locator(`[role="row"][data-client-id="${other}"]`)).toBeVisible();
});

test("import an inventory: preview what changes, then apply", async ({ page }) => {
  const newcomer = uniqueId("e2e-inventory");
  await page.goto("/");
  await page.getByRole("link", { name: "Inventory" }).click();
  await expect(page.getByRole("heading", { name: "Inventory" })).toBeVisible();
  await page
    .getByLabel("Or paste it")
    .fill(`clientId,key,value\n${newcomer},site,lisbon\n${other},site,lisbon\n`);
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(page.getByRole("region", { name: "Preview" })).toContainText(
    "2 clients change (2 labels added, 0 changed, 0 removed)",
  );
  await checkBothSchemes(page, "inventory-preview", { shots });
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.getByText("Imported 2 labels for 2 clients.")).toBeVisible();

  await page.getByLabel("Or paste it").fill(`clientId,key,value\n${newcomer},Bad,x\n`);
  await page.getByRole("button", { name: "Preview changes" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Line 2: label key 'Bad'");
  await checkBothSchemes(page, "inventory-rejected", { shots });
});
