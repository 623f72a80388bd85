// Alerts: (a) time from a mass disconnect to the last notification received
// by a real HTTP receiver; (b) under steady churn, how late client_offline
// alerts fire against their due time (receipt + grace + forSeconds); (c)
// ingest throughput with alert rules active as a ratio of the same ingest
// with them paused, interleaved in the same run.
import { startReceiver } from "../../test/support/receiver";
import { connected, disconnected, envelope } from "../../test/support/events";
import { postBatch, startBenchApp } from "../lib/app";
import { drain, sleep, type SuiteContext, type SuiteResult } from "../lib/context";
import { truncateAll, withClient } from "../lib/database";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { median, percentile, round } from "../lib/stats";
import { batches, clientName, lifecycleHistory } from "../lib/workload";

export interface AlertsOptions {
  /** Connected clients before the mass disconnect. */
  clients: number;
  /** Clients that drop at once in (a). */
  storm: number;
  /** Disconnects per second and seconds of steady churn in (b). */
  churnPerSecond: number;
  churnSeconds: number;
  /** Events of each ingest run in (c). */
  ingestEvents: number;
}

export function alertsOptions(smoke: boolean): AlertsOptions {
  return smoke
    ? { clients: 2_000, storm: 200, churnPerSecond: 5, churnSeconds: 8, ingestEvents: 5_000 }
    : { clients: 50_000, storm: 2_000, churnPerSecond: 20, churnSeconds: 60, ingestEvents: 60_000 };
}

const GRACE_S = 2;
const FOR_S = 2;
const EVAL_S = 1;

async function ingestAll(url: string, items: unknown[], concurrency = 4): Promise<void> {
  const parts = batches(items, 1000);
  await drain(parts, concurrency, 10 * 60_000, (b) => postBatch(url, JSON.stringify(b), b.length));
}

export async function runAlertsSuite(ctx: SuiteContext, o: AlertsOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await ctx.server.scratch("alerts");
  const receiver = await startReceiver();
  const arrivals = new Map<string, number>();
  receiver.respond((r) => {
    const body = JSON.parse(r.body) as { clients: Array<{ clientId: string }> };
    for (const c of body.clients)
      if (!arrivals.has(c.clientId)) arrivals.set(c.clientId, Date.now());
    return { status: 200 };
  });
  const app = await startBenchApp({
    databaseUrl: db.url,
    env: {
      OFFLINE_GRACE_SECONDS: String(GRACE_S),
      ALERTS_EVAL_INTERVAL_SECONDS: String(EVAL_S),
      ALERTS_ALLOW_PRIVATE_TARGETS: "1",
    },
  });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  try {
    const ruleId = await withClient(db.url, async (c) => {
      const ch = await c.query<{ id: string }>(
        `INSERT INTO alert_channel (name, type, url, secret) VALUES ('bench', 'webhook', $1, 'k') RETURNING id`,
        [`${receiver.url}/hook`],
      );
      const rule = await c.query<{ id: string }>(
        `INSERT INTO alert_rule (name, kind, for_seconds, channel_ids) VALUES ('bench offline', 'client_offline', $1, $2) RETURNING id`,
        [FOR_S, [ch.rows[0]!.id]],
      );
      return rule.rows[0]!.id;
    });

    // (a) A mass disconnect: every dropped client's notification, from receipt to arrival.
    const ids = Array.from({ length: o.clients }, (_, i) => clientName("alert-dev", i));
    const t0 = Date.now();
    await ingestAll(
      app.url,
      ids.map((id) => envelope(connected(id, t0 - 60_000, 1))),
    );
    log(`${o.clients} clients connected`);
    const storm = ids.slice(0, o.storm);
    const dropAt = Date.now();
    await ingestAll(
      app.url,
      storm.map((id) => envelope(disconnected(id, dropAt, 1))),
      8,
    );
    const received = Date.now();
    const due = received + (GRACE_S + FOR_S) * 1000;
    while (arrivals.size < o.storm && Date.now() < due + 120_000) await sleep(200);
    const late = storm.map((id) => (arrivals.get(id) ?? Number.NaN) - due);
    const lastAfterDue = Math.max(...late.filter(Number.isFinite));
    figures.push({
      section: "alerts",
      ...measured(
        `mass disconnect of ${o.storm} of ${o.clients}: last notification after due`,
        "ms",
        [lastAfterDue],
      ),
      detail: `${arrivals.size}/${o.storm} received; p50 ${round(median(late))} ms; grace ${GRACE_S} s + for ${FOR_S} s`,
      target: { text: "≤ 5,000 ms after grace + forSeconds", met: lastAfterDue <= 5_000 },
      note: "no storm folding in this build: one notification per client",
    });
    log(
      `storm: ${arrivals.size}/${o.storm} notifications, last ${round(lastAfterDue)} ms after due`,
    );

    // (b) Steady churn: clients drop every second; lateness = firing time − due time, from the alerts table.
    const churnStart = new Date();
    let next = o.storm;
    for (let s = 0; s < o.churnSeconds; s += 1) {
      const tick = Date.now();
      const drop = ids.slice(next, next + o.churnPerSecond);
      next += o.churnPerSecond;
      await postBatch(
        app.url,
        JSON.stringify(drop.map((id) => envelope(disconnected(id, tick, 1)))),
        drop.length,
      );
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    await sleep((GRACE_S + FOR_S + 3 * EVAL_S) * 1000);
    const lateness = await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ ms: number }>(
        `SELECT extract(epoch FROM created_at - started_at)::float8 * 1000 AS ms FROM alert
          WHERE rule_id = $1 AND started_at >= $2`,
        [ruleId, churnStart],
      );
      return rows.map((r) => r.ms);
    });
    const p99 = percentile(lateness, 99);
    figures.push({
      section: "alerts",
      ...measured(
        `client_offline lateness under churn (${o.churnPerSecond}/s for ${o.churnSeconds} s)`,
        "ms",
        [p99],
      ),
      detail: `p50 ${round(percentile(lateness, 50))} ms, max ${round(Math.max(...lateness))} ms, ${lateness.length} firings of ${o.churnPerSecond * o.churnSeconds}`,
      target: { text: "p99 ≤ 5,000 ms after grace + forSeconds", met: p99 <= 5_000 },
      runsLabel: "p99 of firings",
    });
    details.churn = { firings: lateness.length, expected: o.churnPerSecond * o.churnSeconds, p99 };

    // (c) Ingest throughput with the rule active vs paused, interleaved.
    const withRules: number[] = [];
    const without: number[] = [];
    for (let run = 0; run < ctx.runs * 2; run += 1) {
      const active = run % 2 === 0;
      await truncateAll(db.url);
      await withClient(db.url, (c) =>
        c.query(
          `TRUNCATE alert CASCADE; UPDATE alert_rule SET enabled = $1, evaluated_until = NULL`,
          [active],
        ),
      );
      const events = [
        ...lifecycleHistory(
          o.ingestEvents,
          Math.max(100, o.ingestEvents / 10),
          `ingest-${run}`,
          Date.now() - 3_600_000,
        ),
      ];
      const started = performance.now();
      await ingestAll(app.url, events, 4);
      const rate = o.ingestEvents / ((performance.now() - started) / 1000);
      (active ? withRules : without).push(rate);
      log(`ingest ${active ? "with" : "without"} rules: ${round(rate)} events/s`);
    }
    const ratio = pairedRatio(withRules, without);
    figures.push({
      section: "alerts",
      ...measured("ingest with a client_offline rule active", "events/s", withRules),
      baseline: measured("the same ingest with the rule paused", "events/s", without),
      ratioToBaseline: ratio,
      target: { text: "≥ 90% of ingest without rules", met: ratio >= 0.9 },
    });
    details.ingest = { withRules, without, ratio };
  } finally {
    await app.stop();
    await receiver.close();
    await db.drop();
  }
  return { figures, details, notes };
}
