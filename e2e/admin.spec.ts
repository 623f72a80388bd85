// The admin page end to end: ingest tokens (created in the UI, used by a
// sender, revoked) and operator accounts; the admin API's refusals as exact
// bodies, table-style.
import { expect, test, type Page } from "./support/test";
import { createOperator, csrfToken, TEST_ADMIN } from "./support/auth";
import { withDatabase } from "./support/database";
import { baseUrl, connected, envelope, uniqueId } from "./support/ingest";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function ingestWith(token: string, clientId: string) {
  return fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(envelope(connected(clientId, Date.now(), 1))),
  });
}

const operatorRow = (page: Page, username: string) =>
  page.locator(`tr[data-operator="${username}"]`);
const tokenRow = (page: Page, name: string) => page.locator(`tr[data-token="${name}"]`);

test("an admin creates an ingest token, a sender uses it, and once revoked it is refused", async ({
  page,
}) => {
  const name = uniqueId("e2e-bridge");
  await page.goto("/admin");
  await page.getByLabel("Name (which sender uses it)").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();

  // Shown once, with a warning and a copy button.
  const notice = page.getByTestId("new-token");
  await expect(notice).toContainText("It is shown only this once.");
  const token = await page.getByTestId("new-token-value").inputValue();
  expect(token).toMatch(/^fpi_[A-Za-z0-9_-]{32}$/);
  await expect(page.getByTestId("new-token-value")).toBeFocused();
  await notice.getByRole("button", { name: "Copy" }).click();
  await expect(notice.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  const row = tokenRow(page, name);
  await expect(row).toContainText(`${token.slice(0, 10)}…`);
  await expect(row).toContainText(TEST_ADMIN.username);
  await expect(row.getByTestId("token-status")).toHaveText("active");

  const clientId = uniqueId("e2e-token-sender");
  const accepted = await ingestWith(token, clientId);
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toMatchObject({ accepted: 1, rejected: [] });

  await notice.getByRole("button", { name: "I have copied it" }).click();
  await expect(notice).toHaveCount(0);
  // Gone for good: after a reload only the prefix is left, and the last use shows.
  await page.reload();
  await expect(row.locator("time")).toHaveCount(2);
  expect(await page.content()).not.toContain(token);

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const dialog = page.getByTestId("confirm-dialog");
  await expect(dialog).toContainText(`Revoke the token “${name}”?`);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByTestId("token-status")).toContainText("revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

  const refused = await ingestWith(token, clientId);
  expect(refused.status).toBe(401);
  expect(await refused.json()).toEqual({
    error: { code: "unauthorized", message: "The bearer token is not valid." },
  });
});

test("an admin creates an operator, changes the role, disables, enables, resets the password and deletes", async ({
  page,
  playwright,
}) => {
  const username = uniqueId("e2e-op");
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "New operator" });
  await form.getByLabel("Username").fill(username);
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(form.getByLabel("Password (12+ characters)")).toHaveValue(/^[A-Za-z0-9]{16}$/);
  await form.getByRole("button", { name: "Create operator" }).click();
  await expect(form.getByRole("status")).toContainText(`Created viewer “${username}”`);

  const row = operatorRow(page, username);
  await expect(row.getByLabel(`Role of ${username}`)).toHaveValue("viewer");
  await expect(row).toContainText("active");

  await row.getByLabel(`Role of ${username}`).selectOption("admin");
  await page.reload();
  await expect(row.getByLabel(`Role of ${username}`)).toHaveValue("admin");

  await row.getByRole("button", { name: `Disable ${username}` }).click();
  await page.getByTestId("confirm-dialog").getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  await row.getByRole("button", { name: `Enable ${username}` }).click();
  await expect(row).toContainText("active");

  const newPassword = "a-new-password-for-e2e";
  await row.getByRole("button", { name: `Reset password ${username}` }).click();
  const reset = page.getByTestId("reset-password-dialog");
  await expect(reset.getByLabel("New password (12+ characters)")).toBeFocused();
  await reset.getByLabel("New password (12+ characters)").fill(newPassword);
  await reset.getByRole("button", { name: "Set password" }).click();
  await expect(reset).toHaveCount(0);
  const fresh = await playwright.request.newContext({ baseURL: baseUrl() });
  const login = await fresh.post("/api/auth/login", { data: { username, password: newPassword } });
  expect(login.status()).toBe(200);
  expect(await login.json()).toEqual({ username, role: "admin" });
  await fresh.dispose();

  await row.getByRole("button", { name: `Delete ${username}` }).click();
  await page.getByTestId("confirm-dialog").getByRole("button", { name: "Delete" }).click();
  await expect(row).toHaveCount(0);

  // Your own account: another admin must demote, disable or delete it.
  const me = operatorRow(page, TEST_ADMIN.username);
  await expect(me).toContainText("(you)");
  await expect(me.getByRole("button", { name: `Delete ${TEST_ADMIN.username}` })).toBeDisabled();
  await expect(me.getByRole("button", { name: `Disable ${TEST_ADMIN.username}` })).toBeDisabled();
  await expect(me.getByLabel(`Role of ${TEST_ADMIN.username}`)).toBeDisabled();
});

test("a locked account shows until when, and a password reset unlocks it", async ({ page }) => {
  const username = uniqueId("e2e-locked");
  await createOperator(page.context(), { username, password: "locked-password-1", role: "viewer" });
  // Locked as five failed logins would lock it, without spending the app's login rate budget.
  const until = new Date(Date.now() + 15 * 60_000);
  await withDatabase(process.env.E2E_DATABASE_URL!, (c) =>
    c.query("UPDATE operator SET locked_until = $1 WHERE username = $2", [until, username]),
  );
  await page.goto("/admin");
  const row = operatorRow(page, username);
  await expect(row.getByTestId("locked-until")).toContainText("locked until");
  await expect(row.getByTestId("locked-until").locator("time")).toHaveAttribute(
    "datetime",
    until.toISOString(),
  );

  await row.getByRole("button", { name: `Reset password ${username}` }).click();
  const reset = page.getByTestId("reset-password-dialog");
  await reset.getByLabel("New password (12+ characters)").fill("unlocked-password-1");
  await reset.getByRole("button", { name: "Set password" }).click();
  await expect(row.getByTestId("locked-until")).toHaveCount(0);
  await expect(row).toContainText("active");
});

test("the admin API refuses with exact error bodies", async ({ page }) => {
  const headers = { "X-CSRF-Token": await csrfToken(page.context()) };
  const { request } = page;
  const operators = (await (await request.get("/api/admin/operators")).json()) as {
    items: { id: string; username: string }[];
  };
  const self = operators.items.find((o) => o.username === TEST_ADMIN.username)!;

  const cases: {
    what: string;
    send: () => ReturnType<typeof request.get>;
    status: number;
    body: unknown;
  }[] = [
    {
      what: "a write without the CSRF header",
      send: () => request.post("/api/admin/tokens", { data: { name: "x" } }),
      status: 403,
      body: {
        error: {
          code: "csrf_failed",
          message: "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
        },
      },
    },
    {
      what: "a write with a wrong CSRF token",
      send: () =>
        request.post("/api/admin/tokens", {
          data: { name: "x" },
          headers: { "X-CSRF-Token": "forged" },
        }),
      status: 403,
      body: {
        error: {
          code: "csrf_failed",
          message: "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
        },
      },
    },
    {
      what: "a write from another origin",
      send: () =>
        request.post("/api/admin/tokens", {
          data: { name: "x" },
          headers: { ...headers, Origin: "https://evil.example" },
        }),
      status: 403,
      body: {
        error: {
          code: "csrf_failed",
          message: "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
        },
      },
    },
    {
      what: "a login posted from another site",
      send: () =>
        request.post("/api/auth/login", {
          data: TEST_ADMIN,
          headers: { Origin: "https://evil.example" },
        }),
      status: 403,
      body: { error: { code: "csrf_failed", message: "Cross-site login attempt refused." } },
    },
    {
      what: "an existing username",
      send: () =>
        request.post("/api/admin/operators", {
          data: {
            username: TEST_ADMIN.username.toUpperCase(),
            password: "long-enough-password",
            role: "viewer",
          },
          headers,
        }),
      status: 409,
      body: {
        error: {
          code: "conflict",
          message: `An operator named '${TEST_ADMIN.username.toUpperCase()}' already exists.`,
        },
      },
    },
    {
      what: "a short password",
      send: () =>
        request.post("/api/admin/operators", {
          data: { username: uniqueId("e2e-short"), password: "short", role: "viewer" },
          headers,
        }),
      status: 400,
      body: {
        error: {
          code: "invalid_body",
          message: "password: password must be at least 12 characters",
        },
      },
    },
    {
      what: "an unknown operator",
      send: () =>
        request.patch("/api/admin/operators/999999999", { data: { role: "viewer" }, headers }),
      status: 404,
      body: { error: { code: "not_found", message: "No operator with id '999999999'." } },
    },
    {
      what: "demoting the last enabled admin",
      send: () =>
        request.patch(`/api/admin/operators/${self.id}`, { data: { role: "viewer" }, headers }),
      status: 409,
      body: {
        error: {
          code: "conflict",
          message: "This is the last enabled admin; create another admin first.",
        },
      },
    },
    {
      what: "an empty token name",
      send: () => request.post("/api/admin/tokens", { data: { name: "  " }, headers }),
      status: 400,
      body: { error: { code: "invalid_body", message: "name: name must not be empty" } },
    },
    {
      what: "revoking an unknown token",
      send: () => request.delete("/api/admin/tokens/999999999", { headers }),
      status: 404,
      body: { error: { code: "not_found", message: "No ingest token with id '999999999'." } },
    },
  ];
  for (const c of cases) {
    const response = await c.send();
    expect.soft(response.status(), c.what).toBe(c.status);
    expect.soft(await response.json(), c.what).toEqual(c.body);
  }
});
