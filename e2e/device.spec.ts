import { readFile } from "node:fs/promises";
import { expect, test } from "./support/test";
import {
  connected,
  disconnected,
  ingest,
  subscribed,
  uniqueId,
  type Payload,
} from "./support/ingest";

// Reserved and non-ASCII characters: the ID must survive links, routing and API paths.
const clientId = `${uniqueId("e2e")}/dev ice 100%-ü`;
const t0 = Date.now() - 6 * 3_600_000;

function connectFailed(at: number): Payload {
  return {
    clientId,
    timestamp: at,
    eventType: "connect_failed",
    principalIdentifier: "bad-cert",
    connectFailureReason: "AUTHORIZATION_FAILED",
  };
}

test.beforeAll(async () => {
  await ingest(
    connected(clientId, t0, 1, { thingName: "thermostat-7" }),
    subscribed(clientId, t0 + 1_000, ["sensors/temp", "cmd/#"]),
    disconnected(clientId, t0 + 3_600_000, 1, { disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" }),
    connectFailed(t0 + 3_700_000),
    // Version 2 never reports its disconnect: version 3 implies its end.
    connected(clientId, t0 + 4_000_000, 2),
    // A clean session starts: a new session identifier, so older subscriptions are not current.
    connected(clientId, t0 + 5_000_000, 3, {
      thingName: "thermostat-7",
      sessionIdentifier: "session-2",
    }),
    subscribed(clientId, t0 + 5_001_000, ["sensors/humidity"], { sessionIdentifier: "session-2" }),
  );
});

test("drill-down from the fleet shows header, timeline, subscriptions, failures and events", async ({
  page,
}) => {
  await page.goto(`/?q=${encodeURIComponent(clientId)}`);
  await page.getByRole("link", { name: clientId }).click();
  await expect(page).toHaveURL(/\/clients\//);
  await expect(page.getByTestId("device-client-id")).toHaveText(clientId);
  await expect(page.getByTestId("device-status")).toContainText("online");
  await expect(page.getByText("thermostat-7", { exact: true })).toBeVisible();

  // Timeline: two known connections and one whose end is inferred.
  const bars = page.locator("svg rect[data-kind]");
  await expect(bars).toHaveCount(3);
  await expect(page.locator('svg rect[data-kind="inferred"]')).toHaveCount(1);
  await expect(page.locator('svg rect[data-kind="open"]')).toHaveCount(1);
  await page.locator('svg rect[data-kind="inferred"]').hover();
  await expect(page.getByRole("tooltip")).toContainText("disconnect never received");

  const table = page.getByTestId("connections-table");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  await expect(table).toContainText("Keep-alive timed out");
  await expect(table).toContainText("inferred");

  // Only the current session's subscriptions are current (clean session: a new session identifier).
  const current = page.getByTestId("current-subscriptions").locator("li");
  await expect(current).toHaveText(["sensors/humidity"]);
  await expect(page.getByText(/Not current: .*sensors\/temp \(earlier session\)/)).toBeVisible();
  await expect(page.getByTestId("failures")).toContainText("Authorization failed");

  const log = page.getByTestId("event-log");
  await expect(log.locator("li")).toHaveCount(7);
  await log.locator("summary").first().click();
  await expect(log.locator("pre").first()).toContainText('"eventType": "subscribed"');
});

test("the device CSV export covers the selected range", async ({ page }) => {
  await page.goto(`/clients/${encodeURIComponent(clientId)}?range=7d`);
  await expect(page.getByRole("button", { name: "7 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(page.locator("svg rect[data-kind]")).toHaveCount(3);
  const downloading = page.waitForEvent("download");
  await page.getByTestId("device-export-link").click();
  const text = await readFile(await (await downloading).path(), "utf8");
  const lines = text.trim().split("\r\n");
  expect(lines[0]).toBe(
    "clientId,sessionIdentifier,versionNumber,connectedAt,disconnectedAt,durationSeconds,disconnectReason,clientInitiatedDisconnect,principalIdentifier,ipAddress",
  );
  expect(lines).toHaveLength(4);
  expect(lines[1]).toContain(
    `${new Date(t0).toISOString()},${new Date(t0 + 3_600_000).toISOString()},3600,MQTT_KEEP_ALIVE_TIMEOUT`,
  );
});

test("an unknown client explains itself", async ({ page }) => {
  await page.goto(`/clients/${encodeURIComponent("never-seen/ghost")}`);
  await expect(
    page.getByRole("heading", { name: /No client “never-seen\/ghost” has been seen/ }),
  ).toBeVisible();
});

test("the dot-segment IDs '.' and '..' open their own device pages", async ({ page }) => {
  const at = Date.now() - 60_000;
  await ingest(connected(".", at, 1), connected("..", at + 1, 1, { thingName: "dot-dot-thing" }));
  for (const id of [".", ".."]) {
    await page.goto(`/?q=${encodeURIComponent(id)}`);
    await page.getByRole("link", { name: id, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/clients/%2B${id.replace(/\./g, "\\.")}$`));
    await expect(page.getByTestId("device-client-id")).toHaveText(id);
    await expect(page.getByTestId("device-status")).toContainText("online");
  }
  await expect(page.getByText("dot-dot-thing", { exact: true })).toBeVisible();
});
