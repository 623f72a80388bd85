// The outbox against real receivers: a local HTTP server checking the
// signature and failing on purpose, a real SMTP server, two senders at once.
import { createHmac } from "node:crypto";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { createDatabase, db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import {
  deliveries,
  dropClients,
  insertChannel,
  insertRule,
  makeDeliveriesDue,
  reconnectClients,
  resetAlerts,
} from "../../test/support/alerts-db";
import { startReceiver, type Receiver } from "../../test/support/receiver";
import { alertsConfig, type AlertsConfig } from "./config";
import { evaluateRules } from "./evaluate";
import type { AlertPayload } from "./payload";
import { sendDueDeliveries } from "./sender";

const SECRET = "s3cret-for-tests";
let receiver: Receiver;

/**
 * The send timeout runs on the real clock, in this process, around a
 * receiver in this process too: on a loaded machine a stall of a few seconds
 * makes the timer fire before the answer is read (Node runs expired timers
 * before polling sockets), and a 302 or a 200 turns into "timed out". Tests
 * that are not about the timeout get a generous one (the default, 10 s);
 * the retry test sets its own.
 */
function config(env: Record<string, string> = {}): AlertsConfig {
  return alertsConfig({
    ALERTS_ALLOW_PRIVATE_TARGETS: "1",
    ALERTS_SEND_TIMEOUT_SECONDS: "10",
    ALERTS_PUBLIC_URL: "https://fleet.example.com",
    ...env,
  } as unknown as NodeJS.ProcessEnv);
}

const evaluate = (c: AlertsConfig = config()) =>
  evaluateRules(db().pool, new Date(), presenceConfig(), c);

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe("webhook channel", () => {
  it("sends a signed firing and a resolved, each with its deliveryId, in the documented payload", async () => {
    const channelId = await insertChannel({
      type: "webhook",
      url: `${receiver.url}/hook`,
      secret: SECRET,
    });
    const ruleId = await insertRule({
      name: "Gone",
      kind: "client_offline",
      channelIds: [channelId],
    });
    await dropClients(["dev-1"]);
    expect((await evaluate()).fired).toBe(1);
    expect(await sendDueDeliveries(db().pool, config())).toEqual({ sent: 1, failed: 0 });

    const [firing] = receiver.requests;
    const body = JSON.parse(firing!.body) as AlertPayload;
    expect(firing!.headers["x-fleet-signature"]).toBe(
      `sha256=${createHmac("sha256", SECRET).update(firing!.body).digest("hex")}`,
    );
    expect(firing!.headers["x-fleet-delivery"]).toBe(body.deliveryId);
    expect(body).toMatchObject({
      status: "firing",
      rule: { id: ruleId, name: "Gone", kind: "client_offline" },
      resolvedAt: null,
      incidentId: null,
      clients: [{ clientId: "dev-1", status: "offline", disconnectReason: "CONNECTION_LOST" }],
      url: "https://fleet.example.com/clients/dev-1",
    });
    expect(Object.keys(body)).toEqual([
      "deliveryId",
      "status",
      "rule",
      "alertId",
      "startedAt",
      "resolvedAt",
      "clients",
      "incidentId",
      "summary",
      "url",
    ]);

    await reconnectClients(["dev-1"]);
    expect((await evaluate()).resolved).toBe(1);
    await sendDueDeliveries(db().pool, config());
    const resolved = JSON.parse(receiver.requests[1]!.body) as AlertPayload;
    expect(resolved).toMatchObject({
      status: "resolved",
      alertId: body.alertId,
      clients: [{ status: "online" }],
    });
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.deliveryId).not.toBe(body.deliveryId);
    // Evaluating again sends nothing more: one firing and one resolved per alert and channel.
    await evaluate();
    expect(await sendDueDeliveries(db().pool, config())).toEqual({ sent: 0, failed: 0 });
  });

  it("retries a failing receiver (500, timeout) with the same deliveryId and body until it answers", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: SECRET });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    await dropClients(["dev-1"]);
    await evaluate();
    let calls = 0;
    receiver.respond(() => {
      calls += 1;
      return calls === 1 ? { status: 500 } : calls === 2 ? "hang" : { status: 204 };
    });
    const c = config({ ALERTS_SEND_TIMEOUT_SECONDS: "0.5" });
    /** One send pass: what it reports, then the state of the one delivery. */
    const sendPass = async (outcome: { sent: number; failed: number }, state: object) => {
      expect(await sendDueDeliveries(db().pool, c)).toEqual(outcome);
      const [d] = await deliveries();
      expect(d).toMatchObject(state);
    };
    await sendPass(
      { sent: 0, failed: 1 },
      { state: "pending", attempts: 1, last_error: "HTTP 500: receiver says no" },
    );
    await makeDeliveriesDue();
    await sendPass(
      { sent: 0, failed: 1 },
      { state: "pending", attempts: 2, last_error: "timed out after 500 ms" },
    );
    await makeDeliveriesDue();
    await sendPass({ sent: 1, failed: 0 }, { state: "sent", attempts: 3 });
    expect(new Set(receiver.requests.map((r) => r.headers["x-fleet-delivery"])).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    const { rows } = await db().pool.query(
      `SELECT ok, http_status, error FROM alert_delivery_attempt ORDER BY id`,
    );
    expect(rows).toEqual([
      { ok: false, http_status: 500, error: "HTTP 500: receiver says no" },
      { ok: false, http_status: null, error: "timed out after 500 ms" },
      { ok: true, http_status: 204, error: null },
    ]);
  });

  it("backs off between attempts and marks the delivery failed past the retry limit", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: SECRET });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    await dropClients(["dev-1"]);
    await evaluate();
    receiver.respond(() => ({ status: 503 }));
    await sendDueDeliveries(db().pool, config());
    const { rows } = await db().pool.query<{ wait: number }>(
      `SELECT extract(epoch FROM next_attempt_at - now())::float8 AS wait FROM alert_delivery`,
    );
    expect(rows[0]!.wait).toBeGreaterThan(4);
    expect(rows[0]!.wait).toBeLessThanOrEqual(10.5);
    // Nothing due yet: the backoff holds the retry back.
    expect(await sendDueDeliveries(db().pool, config())).toEqual({ sent: 0, failed: 0 });
    await makeDeliveriesDue();
    await sendDueDeliveries(db().pool, config({ ALERTS_MAX_RETRY_HOURS: "0.000001" }));
    expect((await deliveries())[0]).toMatchObject({ state: "failed", attempts: 2 });
  });

  it("does not follow redirects, and refuses private targets unless allowed", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: SECRET });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    await dropClients(["dev-1"]);
    await evaluate();
    receiver.respond((r) =>
      r.path === "/"
        ? { status: 302, headers: { Location: `${receiver.url}/elsewhere` } }
        : { status: 200 },
    );
    await sendDueDeliveries(db().pool, config());
    expect(receiver.requests.map((r) => r.path)).toEqual(["/"]);
    expect((await deliveries())[0]!.last_error).toBe(
      `redirect to ${receiver.url}/elsewhere not followed`,
    );
    await makeDeliveriesDue();
    await sendDueDeliveries(db().pool, config({ ALERTS_ALLOW_PRIVATE_TARGETS: "0" }));
    expect(receiver.requests).toHaveLength(1);
    expect((await deliveries())[0]!.last_error).toMatch(
      /^refused to connect to 127\.0\.0\.1: a loopback or private address/,
    );
  });
});

describe("slack and pagerduty channels", () => {
  it("send a readable Slack message with a link, and PagerDuty trigger/resolve with one dedup_key", async () => {
    const slack = await insertChannel({ type: "slack", url: `${receiver.url}/slack` });
    const pd = await insertChannel({
      type: "pagerduty",
      url: `${receiver.url}/pd`,
      secret: "routing-key-1",
    });
    await insertRule({ name: "Offline", kind: "client_offline", channelIds: [slack, pd] });
    await dropClients(["dev-7"]);
    await evaluate();
    await sendDueDeliveries(db().pool, config());
    await reconnectClients(["dev-7"]);
    await evaluate();
    await sendDueDeliveries(db().pool, config());
    const slackTexts = receiver.requests
      .filter((r) => r.path === "/slack")
      .map((r) => JSON.parse(r.body) as { text: string });
    expect(slackTexts).toHaveLength(2);
    expect(slackTexts[0]!.text).toBe(
      "*[FIRING] Offline: dev-7 is offline (CONNECTION_LOST)*\n• `dev-7`: offline, CONNECTION_LOST\n<https://fleet.example.com/clients/dev-7|Open in Fleet presence>",
    );
    expect(slackTexts[1]!.text).toContain("[RESOLVED] Offline: dev-7 resolved");
    const pdBodies = receiver.requests
      .filter((r) => r.path === "/pd")
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(pdBodies.map((b) => b.event_action)).toEqual(["trigger", "resolve"]);
    expect(pdBodies[0]!.routing_key).toBe("routing-key-1");
    expect(pdBodies[0]!.dedup_key).toBe(pdBodies[1]!.dedup_key);
    expect(pdBodies[0]!.payload).toMatchObject({
      summary: "[FIRING] Offline: dev-7 is offline (CONNECTION_LOST)",
      source: "fleet-presence",
      severity: "warning",
    });
  });
});

describe("email channel", () => {
  it("sends plain text and HTML through a real SMTP server", async () => {
    const mails: Array<{ from: string; to: string[]; raw: string }> = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        let raw = "";
        stream.on("data", (c: Buffer) => (raw += c.toString("utf8")));
        stream.on("end", () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const { port } = smtp.server.address() as AddressInfo;
    try {
      const email = await insertChannel({
        type: "email",
        emailTo: "ops@example.com, oncall@example.com",
      });
      await insertRule({ name: "Offline", kind: "client_offline", channelIds: [email] });
      await dropClients(["dev-9"]);
      await evaluate();
      const c = config({
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        ALERT_EMAIL_FROM: "fleet@example.com",
      });
      expect(await sendDueDeliveries(db().pool, c)).toEqual({ sent: 1, failed: 0 });
      expect(mails).toHaveLength(1);
      expect(mails[0]!.from).toBe("fleet@example.com");
      expect(mails[0]!.to).toEqual(["ops@example.com", "oncall@example.com"]);
      const raw = mails[0]!.raw;
      expect(raw).toContain("Subject: [FIRING] Offline: dev-9 is offline (CONNECTION_LOST)");
      expect(raw).toContain("Content-Type: text/plain");
      expect(raw).toContain("Content-Type: text/html");
      expect(raw).toMatch(/X-Fleet-Delivery: [0-9a-f-]{36}/);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("without SMTP_URL the delivery fails with a message saying so", async () => {
    const email = await insertChannel({ type: "email", emailTo: "ops@example.com" });
    await insertRule({ kind: "client_offline", channelIds: [email] });
    await dropClients(["dev-9"]);
    await evaluate();
    await sendDueDeliveries(db().pool, config());
    expect((await deliveries())[0]!.last_error).toBe(
      "SMTP_URL is not set: email channels cannot send",
    );
  });
});

describe("several instances", () => {
  it("two senders draining one outbox at once send every delivery exactly once", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: SECRET });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    const ids = Array.from({ length: 120 }, (_, i) => `dev-${i}`);
    await dropClients(ids);
    await evaluate();
    const other = createDatabase(process.env.DATABASE_URL as string, 10);
    try {
      const drain = async (pool: typeof other.pool) => {
        for (let i = 0; i < 20; i += 1) {
          const r = await sendDueDeliveries(pool, config(), 10);
          if (r.sent + r.failed === 0) return;
        }
      };
      await Promise.all([drain(db().pool), drain(other.pool)]);
    } finally {
      await other.close();
    }
    const ids2 = receiver.requests.map((r) => r.headers["x-fleet-delivery"]);
    expect(ids2).toHaveLength(120);
    expect(new Set(ids2).size).toBe(120);
  });
});
