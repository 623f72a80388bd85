// A believable 100-client fleet, photographed in light and dark mode and in a
// narrow window; the login and admin pages too. The PNGs land in
// test-results/screenshots/ for a human to look at.
import { expect, test, type Page } from "./support/test";
import { csrfToken, LOGGED_OUT, submitRefusedLogin } from "./support/auth";
import { resetData, withDatabase } from "./support/database";
import {
  baseUrl,
  connected,
  disconnected,
  envelope,
  ingest,
  subscribed,
  type Payload,
} from "./support/ingest";

const DIR = "test-results/screenshots";
const REASONS = [
  "CONNECTION_LOST",
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "CLIENT_INITIATED_DISCONNECT",
  "SERVER_INITIATED_DISCONNECT",
  "THROTTLED",
];
const SITES = ["berlin", "lyon", "porto", "oslo"];

/** Deterministic pseudo-random numbers so the pictures are comparable run to run. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

function fleetEvents(now: number): Payload[] {
  const random = rng(42);
  const events: Payload[] = [];
  for (let i = 0; i < 100; i += 1) {
    const id = `${SITES[i % SITES.length]}/line-${1 + (i % 7)}/sensor-${String(i).padStart(3, "0")}`;
    const sessions = 1 + Math.floor(random() * 4);
    let t = now - 23 * 3_600_000 + random() * 3 * 3_600_000;
    let version = 1;
    const fate = i < 70 ? "online" : i < 76 ? "pending" : "offline";
    for (let s = 0; s < sessions; s += 1, version += 1) {
      events.push(connected(id, t, version, { ipAddress: `10.${i % 4}.${i}.${s + 10}` }));
      if (s === 0)
        events.push(
          subscribed(
            id,
            t + 500,
            [`fleet/${id}/telemetry`, `fleet/${id}/cmd`].slice(0, 1 + (i % 2)),
          ),
        );
      const last = s === sessions - 1;
      if (last && fate === "online") break;
      const end = last
        ? fate === "pending"
          ? now - 500
          : now - (1 + random() * 5) * 3_600_000
        : t + (0.5 + random() * 4) * 3_600_000;
      if (last && fate === "offline" && end <= t) break;
      const reason = REASONS[Math.floor(random() * REASONS.length)]!;
      events.push(
        disconnected(id, end, version, {
          disconnectReason: reason,
          clientInitiatedDisconnect: reason === "CLIENT_INITIATED_DISCONNECT",
        }),
      );
      t = Math.min(end + (5 + random() * 90) * 60_000, now - 60_000);
    }
  }
  // Two flapping devices: five short sessions in the last ten minutes.
  for (const id of ["porto/line-2/sensor-flaky", "oslo/line-5/sensor-flaky"]) {
    for (let v = 1; v <= 6; v += 1) {
      const at = now - 9 * 60_000 + v * 80_000;
      events.push(connected(id, at, v));
      if (v < 6)
        events.push(
          disconnected(id, at + 40_000, v, { disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" }),
        );
    }
  }
  return events.map((e) => ({ ...e, timestamp: Math.round(e.timestamp as number) }));
}

async function settle(page: Page) {
  await expect(
    page.locator('[role="row"][data-client-id]').filter({ visible: true }).first(),
  ).toBeVisible();
  await expect(page.locator("[data-stream-state]")).toHaveAttribute("data-stream-state", "live");
  await page.mouse.move(0, 0);
}

test("screenshots of both pages with a 100-client fleet", async ({ page }) => {
  test.setTimeout(60_000);
  await resetData(process.env.E2E_DATABASE_URL!);
  // First, what a new installation shows: how to get data in.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "No clients yet" })).toBeVisible();
  await page.screenshot({ path: `${DIR}/fleet-empty.png` });

  await ingest(...fleetEvents(Date.now()));

  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto("/");
    await settle(page);
    await page.screenshot({ path: `${DIR}/fleet-${colorScheme}.png`, fullPage: true });

    await page.goto(`/clients/${encodeURIComponent("porto/line-2/sensor-flaky")}`);
    await expect(page.locator("svg rect[data-kind]").first()).toBeVisible();
    await page.screenshot({ path: `${DIR}/device-flapping-${colorScheme}.png`, fullPage: true });

    await page.goto(`/clients/${encodeURIComponent("berlin/line-1/sensor-000")}?range=7d`);
    await expect(page.locator("svg rect[data-kind]").first()).toBeVisible();
    await page.locator("svg rect[data-kind]").first().hover();
    await page.screenshot({ path: `${DIR}/device-${colorScheme}.png`, fullPage: true });
  }

  // A narrow laptop window: secondary columns fold away, nothing overflows.
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1024, height: 720 });
  await page.goto("/?status=online");
  await settle(page);
  await page.screenshot({ path: `${DIR}/fleet-narrow.png`, fullPage: true });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});

/** A few accounts and tokens in every state the admin page can show. Reruns on the same database are fine. */
async function seedAdminData(page: Page) {
  const headers = { "X-CSRF-Token": await csrfToken(page.context()) };
  const operators = [
    { username: "alice", password: "alice-password-1", role: "viewer" },
    { username: "bob", password: "bob-password-123", role: "viewer" },
    { username: "carol", password: "carol-password-1", role: "viewer" },
  ];
  const ids: Record<string, string> = {};
  for (const operator of operators) {
    const response = await page.request.post("/api/admin/operators", { data: operator, headers });
    expect([201, 409]).toContain(response.status());
  }
  const list = (await (await page.request.get("/api/admin/operators")).json()) as {
    items: { id: string; username: string }[];
  };
  for (const o of list.items) ids[o.username] = o.id;
  await page.request.patch(`/api/admin/operators/${ids.bob}`, {
    data: { disabled: true },
    headers,
  });
  await withDatabase(process.env.E2E_DATABASE_URL!, (c) =>
    c.query(
      "UPDATE operator SET locked_until = now() + interval '12 minutes' WHERE username = 'carol'",
    ),
  );
  const tokens = (await (await page.request.get("/api/admin/tokens")).json()) as {
    items: { name: string }[];
  };
  if (tokens.items.some((t) => t.name === "bridge eu-west-1")) return;
  for (const name of ["bridge us-east-1", "lab simulator", "bridge eu-west-1"]) {
    const created = await page.request.post("/api/admin/tokens", { data: { name }, headers });
    const { token, info } = (await created.json()) as { token: string; info: { id: string } };
    if (name === "bridge eu-west-1") {
      await fetch(`${baseUrl()}/api/ingest`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        body: JSON.stringify(fleetEvents(Date.now()).slice(0, 1).map(envelope)),
      });
    }
    if (name === "bridge us-east-1")
      await page.request.delete(`/api/admin/tokens/${info.id}`, { headers });
  }
}

test("screenshots of the login and admin pages", async ({ page, browser }) => {
  for (const colorScheme of ["light", "dark"] as const) {
    const anonymous = await browser.newContext({
      storageState: LOGGED_OUT,
      colorScheme,
      reducedMotion: "reduce",
    });
    const login = await anonymous.newPage();
    await login.setViewportSize({ width: 1440, height: 900 });
    await login.goto("/login?next=%2Fadmin");
    await expect(login.getByRole("button", { name: "Log in" })).toBeEnabled();
    await login.screenshot({ path: `${DIR}/login-${colorScheme}.png` });
    await submitRefusedLogin(login, "alice", "wrong password");
    await login.screenshot({ path: `${DIR}/login-error-${colorScheme}.png` });
    await anonymous.close();
  }

  await seedAdminData(page);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
    await page.goto("/admin");
    await expect(page.locator('tr[data-operator="carol"]')).toContainText("locked until");
    await expect(page.locator('tr[data-token="lab simulator"]')).toBeVisible();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${DIR}/admin-${colorScheme}.png`, fullPage: true });
  }

  // The once-only token, and a confirmation dialog.
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByLabel("Name (which sender uses it)").fill("bridge ap-south-1");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  await page.screenshot({ path: `${DIR}/admin-new-token-light.png`, fullPage: true });
  await page
    .locator('tr[data-token="lab simulator"]')
    .getByRole("button", { name: /Revoke/ })
    .click();
  await expect(page.getByTestId("confirm-dialog")).toBeVisible();
  await page.screenshot({ path: `${DIR}/admin-confirm-light.png` });
});
