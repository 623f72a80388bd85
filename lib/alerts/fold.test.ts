// Storm folding against the real incident detector (lib/incidents): 2,000
// clients dropping at once send one incident notification per channel, one
// update with the counts (not more often than ALERTS_INCIDENT_UPDATE_MINUTES),
// and one resolved, instead of 4,000 per-client messages.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { presenceConfig } from "../config";
import { db } from "../db/client";
import { ingest } from "../ingest";
import { runIncidentDetection } from "../incidents";
import { resetDatabase } from "../../test/support/db";
import { connected, disconnected, envelope } from "../../test/support/events";
import { insertChannel, insertRule, resetAlerts } from "../../test/support/alerts-db";
import { startReceiver, type Receiver } from "../../test/support/receiver";
import { alertsConfig } from "./config";
import { evaluateRules } from "./evaluate";
import { LIVE_INCIDENTS } from "./incident-source";
import { listAlerts } from "./list";
import { sendDueDeliveries } from "./sender";

const MIN = 60_000;
const config = alertsConfig({
  ALERTS_ALLOW_PRIVATE_TARGETS: "1",
  ALERTS_INCIDENT_UPDATE_MINUTES: "5",
} as unknown as NodeJS.ProcessEnv);
let receiver: Receiver;

async function post(items: unknown[], at: number): Promise<void> {
  for (let i = 0; i < items.length; i += 2000) {
    const r = await ingest(JSON.stringify(items.slice(i, i + 2000)), new Date(at));
    expect(r.rejected).toEqual([]);
  }
}

async function clearIncidents(): Promise<void> {
  await db().pool.query(`TRUNCATE incident, incident_client, incident_detector CASCADE`);
}

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
  await clearIncidents();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

interface Notice {
  status: string;
  incidentId: string | null;
  clients: unknown[];
  clientsTotal: number;
  clientsFiring: number;
  summary: string;
}

describe("storm folding", () => {
  it("2,000 clients dropping at once: one firing, one update, one resolved per channel", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: "k" });
    await insertRule({ name: "Offline", kind: "client_offline", channelIds: [channelId] });
    const ids = Array.from({ length: 2000 }, (_, i) => `storm-${String(i).padStart(4, "0")}`);
    const now = Date.now();
    const t0 = now - 20 * MIN;
    await post(
      ids.map((id) => envelope(connected(id, t0, 1))),
      t0,
    );
    const t1 = now - 5 * MIN;
    await post(
      ids.map((id, i) => envelope(disconnected(id, t1 + (i % 10) * 1000, 1))),
      t1 + 10_000,
    );
    const detected = await runIncidentDetection(db().pool, { now });
    expect(detected.incidents).toBe(1);

    const evaluate = (at: number) =>
      evaluateRules(db().pool, new Date(at), presenceConfig(), config, LIVE_INCIDENTS);
    const drain = () => sendDueDeliveries(db().pool, config, 50);
    /** A pass of the evaluator, then of the sender: what a notice is due goes out. */
    const evaluateAndSend = async (at: number) => {
      await evaluate(at);
      await drain();
    };
    expect(await evaluate(now)).toMatchObject({ fired: 2000 });
    await drain();
    expect(receiver.requests).toHaveLength(1);
    const first = JSON.parse(receiver.requests[0]!.body) as Notice;
    expect(first).toMatchObject({ status: "firing", clientsTotal: 2000, clientsFiring: 2000 });
    expect(first.incidentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.clients).toHaveLength(100);
    const listed = await listAlerts({ state: "firing", limit: 3 });
    expect(listed.items.map((a) => a.incidentId)).toEqual([
      first.incidentId,
      first.incidentId,
      first.incidentId,
    ]);
    expect(
      listed.items.filter((a) => a.clientId !== null).every((a) => a.deliveries.length === 0),
    ).toBe(true);
    expect(first.summary).toBe(
      "[FIRING] Offline: 2000 of 2000 clients affected by an incident (first 100 listed)",
    );

    // Half come back: their alerts resolve quietly; the update waits for the interval.
    await post(
      ids.slice(0, 1000).map((id) => envelope(connected(id, now + 1000, 2))),
      now + 1000,
    );
    await evaluateAndSend(now + MIN);
    expect(receiver.requests).toHaveLength(1);
    await evaluateAndSend(now + 6 * MIN);
    expect(receiver.requests).toHaveLength(2);
    expect(JSON.parse(receiver.requests[1]!.body)).toMatchObject({
      status: "firing",
      incidentId: first.incidentId,
      clientsFiring: 1000,
      update: 1,
    });

    // The rest come back; the detector closes the incident; one resolved notice.
    await post(
      ids.slice(1000).map((id) => envelope(connected(id, now + 7 * MIN, 2))),
      now + 7 * MIN,
    );
    await runIncidentDetection(db().pool, { now: now + 8 * MIN });
    await evaluateAndSend(now + 8 * MIN);
    expect(receiver.requests).toHaveLength(3);
    expect(JSON.parse(receiver.requests[2]!.body)).toMatchObject({
      status: "resolved",
      incidentId: first.incidentId,
      summary: "[RESOLVED] Offline: incident over (2000 clients were affected)",
    });
    const { rows } = await db().pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert WHERE incident_id = $1 AND client_id IS NOT NULL AND state = 'resolved'`,
      [first.incidentId],
    );
    expect(rows[0]!.n).toBe(2000);
  });

  it("a client that drops alone is not folded: its alert is sent as usual", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: "k" });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    const now = Date.now();
    await post(
      [
        envelope(connected("lonely", now - 20 * MIN, 1)),
        envelope(disconnected("lonely", now - 5 * MIN, 1)),
      ],
      now - 5 * MIN,
    );
    await runIncidentDetection(db().pool, { now });
    await evaluateRules(db().pool, new Date(now), presenceConfig(), config, LIVE_INCIDENTS);
    await sendDueDeliveries(db().pool, config);
    expect(receiver.requests.map((r) => JSON.parse(r.body) as Notice)).toMatchObject([
      { status: "firing", incidentId: null, clients: [{ clientId: "lonely" }] },
    ]);
  });

  it("an `incident` rule notifies when an incident opens and when it is over", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: "k" });
    const ruleId = await insertRule({ name: "Outages", kind: "incident", channelIds: [channelId] });
    await db().pool.query(
      `UPDATE alert_rule SET created_at = now() - interval '1 hour' WHERE id = $1`,
      [ruleId],
    );
    const ids = Array.from({ length: 50 }, (_, i) => `cell-${i}`);
    const now = Date.now();
    await post(
      ids.map((id) => envelope(connected(id, now - 20 * MIN, 1))),
      now - 20 * MIN,
    );
    await post(
      ids.map((id) =>
        envelope(disconnected(id, now - 5 * MIN, 1, { disconnectReason: "SERVER_ERROR" })),
      ),
      now - 5 * MIN,
    );
    await runIncidentDetection(db().pool, { now });
    await evaluateRules(db().pool, new Date(now), presenceConfig(), config, LIVE_INCIDENTS);
    await sendDueDeliveries(db().pool, config);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
      status: "firing",
      rule: { kind: "incident", name: "Outages" },
      clientsTotal: 50,
      clientsFiring: 50,
    });
    await post(
      ids.map((id) => envelope(connected(id, now + 1000, 2))),
      now + 1000,
    );
    await runIncidentDetection(db().pool, { now: now + 8 * MIN });
    await evaluateRules(
      db().pool,
      new Date(now + 8 * MIN),
      presenceConfig(),
      config,
      LIVE_INCIDENTS,
    );
    await sendDueDeliveries(db().pool, config);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as Notice).status)).toEqual([
      "firing",
      "resolved",
    ]);
  });
});
