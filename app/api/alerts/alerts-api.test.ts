// The alerts API: admin-only writes, viewer reads, exact error bodies, and
// the whole path from a rule made through the API to its delivery listed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PRINCIPAL_HEADER } from "@/lib/auth/access";
import type { Principal } from "@/lib/auth/schemas";
import { alertsConfig } from "@/lib/alerts/config";
import { evaluateRules } from "@/lib/alerts/evaluate";
import { sendDueDeliveries } from "@/lib/alerts/sender";
import { presenceConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { setLabels } from "@/lib/labels/store";
import { resetDatabase } from "@/test/support/db";
import { dropClients, resetAlerts } from "@/test/support/alerts-db";
import { startReceiver, type Receiver } from "@/test/support/receiver";
import { BASE, params } from "@/test/support/routes";
import { GET as listAlerts } from "./route";
import { GET as listChannels, POST as createChannel } from "./channels/route";
import { PATCH as patchChannel } from "./channels/[id]/route";
import { POST as testChannel } from "./channels/[id]/test/route";
import { GET as listRules, POST as createRule } from "./rules/route";
import { DELETE as deleteRule, PATCH as patchRule } from "./rules/[id]/route";
import { GET as listSilences, POST as createSilence } from "./silences/route";

const ADMIN: Principal = { operatorId: "1", username: "alice", role: "admin", csrfToken: "x" };
const VIEWER: Principal = { operatorId: "2", username: "victor", role: "viewer", csrfToken: "y" };

function request(
  path: string,
  init: { method?: string; body?: unknown; as?: Principal | null } = {},
): Request {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const as = init.as === undefined ? ADMIN : init.as;
  if (as !== null) headers[PRINCIPAL_HEADER] = encodeURIComponent(JSON.stringify(as));
  return new Request(`${BASE}${path}`, {
    method: init.method ?? "GET",
    headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : JSON.stringify(init.body),
  });
}

async function call(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** POST /api/alerts/channels as the admin: its status and body. */
const postChannel = (body: Record<string, unknown>) =>
  call(createChannel(request("/api/alerts/channels", { method: "POST", body })));

let receiver: Receiver;
beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
  receiver = await startReceiver();
  process.env.ALERTS_ALLOW_PRIVATE_TARGETS = "1";
});
afterEach(async () => {
  delete process.env.ALERTS_ALLOW_PRIVATE_TARGETS;
  await receiver.close();
});

const error = (code: string, message: string) => ({ error: { code, message } });

describe("errors of the alerts API", () => {
  it.each([
    {
      name: "a viewer may not create a rule",
      run: () =>
        createRule(
          request("/api/alerts/rules", {
            method: "POST",
            body: { name: "x", kind: "client_offline" },
            as: VIEWER,
          }),
        ),
      status: 403,
      body: error("forbidden", "Only admins may do this."),
    },
    {
      name: "nobody logged in",
      run: () => listRules(request("/api/alerts/rules", { as: null })),
      status: 401,
      body: error("unauthorized", "Log in first."),
    },
    {
      name: "a body that is not JSON",
      run: () => createRule(request("/api/alerts/rules", { method: "POST", body: "{nope" })),
      status: 400,
      body: error(
        "invalid_json",
        "Body is not valid JSON; send JSON {name, kind, selector?, forSeconds?, threshold?, thresholdShare?, windowSeconds?, channelIds?}.",
      ),
    },
    {
      name: "an unknown kind",
      run: () =>
        createRule(
          request("/api/alerts/rules", { method: "POST", body: { name: "x", kind: "meteor" } }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        'kind: Invalid option: expected one of "client_offline"|"client_flapping"|"connect_failed"|"fleet_online_below"|"incident"',
      ),
    },
    {
      name: "a labels selector with a key no label can have",
      run: () =>
        createRule(
          request("/api/alerts/rules", {
            method: "POST",
            body: { name: "x", kind: "client_offline", selector: { labels: { Site: "berlin" } } },
          }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        "selector.labels: label key 'Site' must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case letters, digits, '_', '.', '-'; at most 63 characters, starting with a letter or digit)",
      ),
    },
    {
      name: "connect_failed without its window",
      run: () =>
        createRule(
          request("/api/alerts/rules", {
            method: "POST",
            body: { name: "x", kind: "connect_failed", threshold: 3 },
          }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        "windowSeconds: connect_failed rules need the window the attempts are counted in.",
      ),
    },
    {
      name: "fleet_online_below without a threshold",
      run: () =>
        createRule(
          request("/api/alerts/rules", {
            method: "POST",
            body: { name: "x", kind: "fleet_online_below" },
          }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        "threshold: fleet_online_below rules need threshold (clients) or thresholdShare (0-1).",
      ),
    },
    {
      name: "a channel that does not exist",
      run: () =>
        createRule(
          request("/api/alerts/rules", {
            method: "POST",
            body: {
              name: "x",
              kind: "client_offline",
              channelIds: ["6f1c9a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f"],
            },
          }),
        ),
      status: 400,
      body: error("invalid_body", "channelIds: no channel '6f1c9a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f'."),
    },
    {
      name: "patching a rule that does not exist",
      run: () =>
        patchRule(
          request("/api/alerts/rules/nope", { method: "PATCH", body: { name: "y" } }),
          params({ id: "nope" }),
        ),
      status: 404,
      body: error("not_found", "No rule 'nope'."),
    },
    {
      name: "deleting a rule that does not exist",
      run: () =>
        deleteRule(
          request("/api/alerts/rules/6f1c9a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f", { method: "DELETE" }),
          params({ id: "6f1c9a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f" }),
        ),
      status: 404,
      body: error("not_found", "No rule '6f1c9a7e-1d2b-4c3d-8e9f-0a1b2c3d4e5f'."),
    },
    {
      name: "a webhook without a URL",
      run: () =>
        createChannel(
          request("/api/alerts/channels", { method: "POST", body: { name: "h", type: "webhook" } }),
        ),
      status: 400,
      body: error("invalid_body", "url: a webhook channel needs the URL to POST to."),
    },
    {
      name: "an email channel with a bad address",
      run: () =>
        createChannel(
          request("/api/alerts/channels", {
            method: "POST",
            body: { name: "m", type: "email", to: "ops@example.com, nobody" },
          }),
        ),
      status: 400,
      body: error("invalid_body", "to: 'nobody' is not an email address."),
    },
    {
      name: "a pagerduty channel without its routing key",
      run: () =>
        createChannel(
          request("/api/alerts/channels", {
            method: "POST",
            body: { name: "p", type: "pagerduty" },
          }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        "secret: a pagerduty channel needs the integration's routing key as its secret.",
      ),
    },
    {
      name: "a silence that mutes nothing in particular",
      run: () =>
        createSilence(
          request("/api/alerts/silences", {
            method: "POST",
            body: { endsAt: "2030-01-01T00:00:00Z", reason: "maintenance" },
          }),
        ),
      status: 400,
      body: error(
        "invalid_body",
        "A silence needs selector.clientIdPattern, selector.labels or ruleIds: it must say what it mutes.",
      ),
    },
    {
      name: "a silence that ends before it starts",
      run: () =>
        createSilence(
          request("/api/alerts/silences", {
            method: "POST",
            body: {
              selector: { clientIdPattern: "a*" },
              startsAt: "2030-01-02T00:00:00Z",
              endsAt: "2030-01-01T00:00:00Z",
              reason: "r",
            },
          }),
        ),
      status: 400,
      body: error("invalid_body", "endsAt: must be later than startsAt."),
    },
    {
      name: "an unknown alert state",
      run: () => listAlerts(request("/api/alerts?state=burning")),
      status: 400,
      body: error("invalid_query", 'state: Invalid option: expected one of "firing"|"resolved"'),
    },
  ])("$name", async ({ run, status, body }) => {
    expect(await call(run())).toEqual({ status, body });
  });

  it("accepts incident rules (the incident detector exists)", async () => {
    const created = await call(
      createRule(
        request("/api/alerts/rules", {
          method: "POST",
          body: { name: "Outages", kind: "incident" },
        }),
      ),
    );
    expect(created).toMatchObject({ status: 201, body: { name: "Outages", kind: "incident" } });
  });

  it("refuses a loopback URL unless ALERTS_ALLOW_PRIVATE_TARGETS=1", async () => {
    delete process.env.ALERTS_ALLOW_PRIVATE_TARGETS;
    expect(await postChannel({ name: "h", type: "webhook", url: receiver.url })).toEqual({
      status: 400,
      body: error(
        "invalid_body",
        "url: loopback and private addresses are refused (set ALERTS_ALLOW_PRIVATE_TARGETS=1 to allow them).",
      ),
    });
  });
});

describe("alerts through the API", () => {
  it("shows a secret once, fires, sends, and lists the alert with its delivery and attempts", async () => {
    const created = await postChannel({
      name: "Ops hook",
      type: "webhook",
      url: `${receiver.url}/hook`,
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const channelId = created.body.id as string;
    const listed = await call(listChannels(request("/api/alerts/channels", { as: VIEWER })));
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: channelId, hasSecret: true }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret as string);
    const patched = await call(
      patchChannel(
        request(`/api/alerts/channels/${channelId}`, { method: "PATCH", body: { name: "Ops" } }),
        params({ id: channelId }),
      ),
    );
    expect(JSON.stringify(patched.body)).not.toContain(created.body.secret as string);

    const rule = await call(
      createRule(
        request("/api/alerts/rules", {
          method: "POST",
          body: {
            name: "Sensors down",
            kind: "client_offline",
            forSeconds: 60,
            selector: { clientIdPattern: "sensor-*" },
            channelIds: [channelId],
          },
        }),
      ),
    );
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({
      name: "Sensors down",
      kind: "client_offline",
      forSeconds: 60,
      selector: { clientIdPattern: "sensor-*" },
      channelIds: [channelId],
      enabled: true,
    });

    await dropClients(["sensor-1", "camera-1"]);
    await evaluateRules(db().pool, new Date(), presenceConfig(), alertsConfig());
    await sendDueDeliveries(db().pool, alertsConfig());
    const firing = await call(listAlerts(request("/api/alerts?state=firing", { as: VIEWER })));
    expect(firing.body.counts).toEqual({ firing: 1 });
    const items = firing.body.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      rule: { id: rule.body.id, name: "Sensors down", kind: "client_offline" },
      clientId: "sensor-1",
      state: "firing",
      silenced: false,
      resolvedAt: null,
      deliveries: [
        {
          channelId,
          channelName: "Ops",
          channelType: "webhook",
          status: "firing",
          state: "sent",
          attempts: 1,
          lastError: null,
          attemptLog: [{ ok: true, httpStatus: 200, error: null }],
        },
      ],
    });
    expect(receiver.requests).toHaveLength(1);
  });

  it("records alerts under a silence as silenced and sends nothing", async () => {
    const created = await postChannel({ name: "hook", type: "webhook", url: receiver.url });
    await call(
      createRule(
        request("/api/alerts/rules", {
          method: "POST",
          body: { name: "Down", kind: "client_offline", channelIds: [created.body.id] },
        }),
      ),
    );
    const silence = await call(
      createSilence(
        request("/api/alerts/silences", {
          method: "POST",
          body: {
            selector: { clientIdPattern: "lab-*" },
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            reason: "bench work",
          },
        }),
      ),
    );
    expect(silence.status).toBe(201);
    expect(silence.body).toMatchObject({
      author: "alice",
      reason: "bench work",
      active: true,
      selector: { clientIdPattern: "lab-*" },
    });
    // A silence by label mutes the clients carrying it, whatever their ID.
    const byLabel = await call(
      createSilence(
        request("/api/alerts/silences", {
          method: "POST",
          body: {
            selector: { labels: { site: "depot" } },
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            reason: "depot rewiring",
          },
        }),
      ),
    );
    expect(byLabel.status).toBe(201);
    await setLabels("depot-1", { site: "depot" });
    await setLabels("prod-1", { site: "hq" });
    await dropClients(["lab-1", "prod-1", "depot-1"]);
    await evaluateRules(db().pool, new Date(), presenceConfig(), alertsConfig());
    await sendDueDeliveries(db().pool, alertsConfig());
    const all = await call(listAlerts(request("/api/alerts")));
    const byClient = Object.fromEntries(
      (all.body.items as Array<{ clientId: string; silenced: boolean; deliveries: unknown[] }>).map(
        (a) => [a.clientId, a],
      ),
    );
    expect(byClient["lab-1"]).toMatchObject({ silenced: true, deliveries: [] });
    expect(byClient["depot-1"]).toMatchObject({ silenced: true, deliveries: [] });
    expect(byClient["prod-1"]).toMatchObject({
      silenced: false,
      deliveries: [expect.objectContaining({ state: "sent" })],
    });
    expect(receiver.requests).toHaveLength(1);
    expect(
      (await call(listSilences(request("/api/alerts/silences", { as: VIEWER })))).body.items,
    ).toHaveLength(2);
  });

  it("sends a test notification on demand and reports how it went", async () => {
    const created = await postChannel({ name: "hook", type: "webhook", url: receiver.url });
    const id = created.body.id as string;
    const ok = await call(
      testChannel(request(`/api/alerts/channels/${id}/test`, { method: "POST" }), params({ id })),
    );
    expect(ok).toMatchObject({ status: 200, body: { ok: true, httpStatus: 200, error: null } });
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ test: true, status: "firing" });
    receiver.respond(() => ({ status: 500 }));
    const failed = await call(
      testChannel(request(`/api/alerts/channels/${id}/test`, { method: "POST" }), params({ id })),
    );
    expect(failed.body).toMatchObject({
      ok: false,
      httpStatus: 500,
      error: "HTTP 500: receiver says no",
    });
  });
});
