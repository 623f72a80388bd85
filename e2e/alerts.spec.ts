// Alerts end to end: a channel and a rule made in the UI, a device that
// drops (ingested as the bridge would), the alert appearing live, and its
// delivery received by a real local HTTP receiver and listed on the page.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./support/test";
import { startReceiver, type Receiver } from "../test/support/receiver";
import { connected, disconnected, ingest, uniqueId } from "./support/ingest";

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(async () => {
  await receiver.close();
});

test("a rule made in the UI fires live for a device that stays offline, and its delivery is listed", async ({
  page,
}) => {
  test.setTimeout(90_000);
  const prefix = uniqueId("e2e-alert");
  const device = `${prefix}-pump`;
  await page.goto("/alerts");
  await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();

  // Validation before the server: a webhook needs its URL.
  const channelForm = page.getByRole("form", { name: "New channel" });
  await channelForm.getByLabel("Name").fill("Ops hook");
  await channelForm.getByRole("button", { name: "Create channel" }).click();
  await expect(channelForm.getByRole("status")).toHaveText("Enter the URL to post to.");
  await channelForm.getByLabel("URL").fill(`${receiver.url}/hook`);
  await channelForm.getByRole("button", { name: "Create channel" }).click();
  await expect(channelForm.getByRole("status")).toContainText("Signing secret (shown once)");

  const channelRow = page.getByTestId("alert-channels").getByRole("row", { name: /Ops hook/ });
  await channelRow.getByRole("button", { name: "Send test" }).click();
  await expect(channelRow.getByRole("status")).toHaveText("Test sent (HTTP 200).");
  expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ test: true });

  const ruleForm = page.getByRole("form", { name: "New rule" });
  await ruleForm.getByLabel("Name").fill("Pumps offline");
  await ruleForm.getByLabel("Client IDs (glob, * and ?)").fill(`${prefix}*`);
  await ruleForm.getByLabel("For (seconds after grace)").fill("1");
  await ruleForm.getByRole("checkbox", { name: /Ops hook/ }).check();
  await ruleForm.getByRole("button", { name: "Create rule" }).click();
  await expect(ruleForm.getByRole("status")).toHaveText("Rule “Pumps offline” created.");
  await expect(page.getByTestId("alert-rules")).toContainText("offline past grace + 1 s");

  const t = Date.now();
  await ingest(connected(device, t - 5_000, 1), disconnected(device, t, 1));

  // Live: no reload. Grace (3 s in e2e) + 1 s + one evaluation tick.
  const firing = page.getByTestId("alerts-firing");
  await expect(firing.getByRole("row", { name: new RegExp(device) })).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByTestId("alert-bell")).toHaveAccessibleName(/Alerts: [1-9]\d* firing/);
  await expect(firing.getByRole("row", { name: new RegExp(device) })).toContainText("sent", {
    timeout: 15_000,
  });
  await expect(firing).toContainText("firing → Ops hook");
  const hook = receiver.requests.find((r) => r.path === "/hook" && r.body.includes(device));
  expect(hook).toBeDefined();
  expect(JSON.parse(hook!.body)).toMatchObject({
    status: "firing",
    rule: { name: "Pumps offline", kind: "client_offline" },
    clients: [{ clientId: device, status: "offline" }],
  });
  expect(hook!.headers["x-fleet-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);

  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => v.id),
  ).toEqual([]);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `/tmp/alerts-${colorScheme}.png`, fullPage: true });
    const dark = await new AxeBuilder({ page }).withTags(["wcag2aa"]).analyze();
    expect(
      dark.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id),
    ).toEqual([]);
  }

  // The device page offers a one-click silence.
  await page.goto(`/clients/${encodeURIComponent(device)}`);
  await expect(page.getByTestId("device-alerts")).toContainText("1 alert firing: Pumps offline");
  await page.getByRole("button", { name: "Mute this device for 1 h" }).click();
  await expect(page.getByTestId("device-alerts").getByRole("status")).toContainText("Muted until");
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `/tmp/device-alerts-${colorScheme}.png` });
  }
});
