// The three source routes end to end in the browser: events posted as AWS's
// rule action, Azure Event Grid and EMQX send them show up with their
// source (badge, filter, device page), and AWS's destination confirmation
// is listed for admins with a copyable command. Light and dark screenshots
// land in test-results/screenshots/ for a human to look at.
import { expect, test, type Page } from "./support/test";
import {
  AWS_CONFIRMATION_TOKEN,
  awsDestinationConfirmation,
  awsRuleConnected,
  azureEventGridEvent,
  azureValidationEvent,
  emqxClientConnected,
} from "../test/support/vendor-payloads";
import { seriousViolations } from "./support/a11y";
import { E2E_TOKEN } from "./support/database";
import { baseUrl, uniqueId } from "./support/ingest";

const DIR = "test-results/screenshots";
test.use({ permissions: ["clipboard-read", "clipboard-write"] });
// Two axe passes and full-page screenshots per test: slow on a loaded machine.
test.describe.configure({ timeout: 120_000 });

const prefix = uniqueId("e2e-src");
const awsId = `${prefix}-aws`;
const emqxId = `${prefix}-emqx`;
const azureDevice = `${prefix}-azure`;
const azureId = `${azureDevice}/edgeAgent`;

async function send(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

test.beforeAll(async () => {
  const t = Date.now() - 60_000;
  const auth = { Authorization: `Bearer ${E2E_TOKEN}` };
  await send("/api/ingest/aws-rule", awsRuleConnected(awsId, t, 1), auth);
  await send("/api/ingest/emqx", emqxClientConnected(emqxId, t), auth);
  await send(
    "/api/ingest/azure",
    [
      azureEventGridEvent("DeviceConnected", {
        deviceId: azureDevice,
        moduleId: "edgeAgent",
        sequenceNumber: "000000000000000001D4132452F67CE200000002000000000000000000000001",
        eventTime: new Date(t).toISOString(),
        id: prefix,
      }),
    ],
    auth,
  );
  await send(
    "/api/ingest/aws-rule",
    awsDestinationConfirmation.body,
    awsDestinationConfirmation.headers,
  );
});

const row = (page: Page, clientId: string) =>
  page.locator(`[role="row"][data-client-id="${clientId}"]`);

test("each client shows its source, and the fleet filters by it", async ({ page }) => {
  await page.goto(`/?q=${encodeURIComponent(prefix)}`);
  for (const [id, source] of [
    [awsId, "aws"],
    [emqxId, "emqx"],
    [azureId, "azure"],
  ] as const) {
    await expect(row(page, id).locator(`[data-source="${source}"]`)).toBeVisible({
      timeout: 30_000,
    });
  }
  await page.getByLabel("Source").selectOption("azure");
  await expect(page).toHaveURL(/source=azure/);
  await expect(row(page, azureId)).toBeVisible();
  await expect(row(page, awsId)).toHaveCount(0);
  await expect(row(page, emqxId)).toHaveCount(0);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.getByLabel("Source").selectOption("");
    await expect(row(page, awsId)).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/sources-fleet-${colorScheme}.png`, fullPage: true });
  }
});

test("the device page names the source and keeps the Azure module", async ({ page }) => {
  await page.goto(`/clients/${encodeURIComponent(azureId)}`);
  // A loaded machine may take a while to fetch the client.
  await expect(page.getByTestId("client-source")).toHaveText("azureAzure IoT Hub", {
    timeout: 30_000,
  });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${DIR}/sources-device-${colorScheme}.png`, fullPage: true });
  }
});

test("admins see AWS's destination confirmation with a copyable command", async ({ page }) => {
  await page.goto("/admin");
  const panel = page.getByRole("region", { name: "AWS IoT rule destinations" });
  const command = `aws iot confirm-topic-rule-destination --region us-east-1 --confirmation-token ${AWS_CONFIRMATION_TOKEN}`;
  await expect(panel.getByTestId("confirm-command")).toHaveText(command, { timeout: 30_000 });
  await expect(panel.getByRole("link", { name: /Open the enable URL/ })).toHaveAttribute(
    "href",
    awsDestinationConfirmation.body.enableUrl,
  );
  await panel.getByRole("button", { name: /Copy/ }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    expect(await seriousViolations(page)).toEqual([]);
    await panel.screenshot({ path: `${DIR}/sources-admin-${colorScheme}.png` });
  }
});

test("Event Grid's handshakes pass the proxy without a token", async () => {
  const options = await fetch(`${baseUrl()}/api/ingest/azure`, {
    method: "OPTIONS",
    headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
  });
  expect(options.status).toBe(200);
  expect(options.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  const validation = await fetch(`${baseUrl()}/api/ingest/azure`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation" },
    body: JSON.stringify(azureValidationEvent),
  });
  expect(await validation.json()).toEqual({
    validationResponse: azureValidationEvent[0]!.data.validationCode,
  });
  const events = await fetch(`${baseUrl()}/api/ingest/azure`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "[]",
  });
  expect(events.status).toBe(401);
});
