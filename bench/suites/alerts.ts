// Alerts: (a) time from a mass disconnect to the last notification received
// by a real HTTP receiver; (b) under steady churn, how late client_offline
// alerts fire against their due time (receipt + grace + forSeconds); (c)
// ingest throughput with alert rules active as a ratio of the same ingest
// with them paused, interleaved in the same run.
import { startReceiver } from "../../test/support/receiver";
import { connected, disconnected, envelope } from "../../test/support/events";
import { alertingEnv, createOfflineRule, EVAL_S, FOR_S } from "../lib/alerts";
import { postBatch, startBenchApp } from "../lib/app";
import { drain, sleep, type Suite } from "../lib/context";
import { truncateAll, withClient } from "../lib/database";
import { measured, pairedRatio, type Figure } from "../lib/report";
import { percentile, round } from "../lib/stats";
import { batches, clientName, lifecycleHistory } from "../lib/workload";

export interface AlertsOptions {
  /** Connected clients before the mass disconnect. */
  clients: number;
  /** Clients that drop at once in (a): over INCIDENT_MIN_SHARE (5%) of the fleet, so an incident opens. */
  storm: number;
  /** Disconnects per second and seconds of steady churn in (b). */
  churnPerSecond: number;
  churnSeconds: number;
  /** Events of each ingest run in (c). */
  ingestEvents: number;
}

export function alertsOptions(smoke: boolean): AlertsOptions {
  return smoke
    ? { clients: 2_000, storm: 200, churnPerSecond: 5, churnSeconds: 5, ingestEvents: 3_000 }
    : {
        clients: 50_000,
        storm: 5_000,
        churnPerSecond: 20,
        churnSeconds: 60,
        ingestEvents: 200_000,
      };
}

// Long enough for the incident detector (every second here) to see a mass disconnect first.
const GRACE_S = 5;

async function ingestAll(url: string, items: unknown[], concurrency = 4): Promise<void> {
  const parts = batches(items, 1000);
  await drain(parts, concurrency, 10 * 60_000, (b) => postBatch(url, JSON.stringify(b), b.length));
}

export const runAlertsSuite: Suite<AlertsOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("alerts");
  const receiver = await startReceiver();
  const arrivals = new Map<string, number>();
  const notices: Array<{ at: number; incidentId: string | null }> = [];
  receiver.respond((r) => {
    const body = JSON.parse(r.body) as {
      clients: Array<{ clientId: string }>;
      incidentId: string | null;
    };
    notices.push({ at: Date.now(), incidentId: body.incidentId });
    for (const c of body.clients)
      if (!arrivals.has(c.clientId)) arrivals.set(c.clientId, Date.now());
    return { status: 200 };
  });
  const app = await startBenchApp({
    databaseUrl: db.url,
    env: alertingEnv(GRACE_S, EVAL_S),
  });
  const figures: Figure[] = [];
  const notes: string[] = [];
  const details: Record<string, unknown> = {};
  try {
    const ruleId = await createOfflineRule(db.url, {
      hookUrl: `${receiver.url}/hook`,
      name: "bench offline",
      forSeconds: FOR_S,
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
    const folded = () => notices.find((n) => n.incidentId !== null);
    while (folded() === undefined && arrivals.size < o.storm && Date.now() < due + 120_000)
      await sleep(100);
    await sleep(3_000); // stragglers: count every message the storm caused
    const fold = folded();
    const late = storm.map((id) => (arrivals.get(id) ?? Number.NaN) - due);
    const lastAfterDue = Math.max(...late.filter(Number.isFinite));
    const messages = notices.filter((n) => n.at >= received).length;
    figures.push({
      section: "alerts",
      ...measured(
        `mass disconnect of ${o.storm} of ${o.clients}: ${fold ? "the folded incident notification" : "the last notification"} after due`,
        "ms",
        [fold ? fold.at - due : lastAfterDue],
      ),
      detail: `${messages} notification(s) for ${o.storm} clients; grace ${GRACE_S} s + for ${FOR_S} s`,
      target: {
        text: "≤ 5,000 ms after grace + forSeconds",
        met: (fold ? fold.at - due : lastAfterDue) <= 5_000,
      },
    });
    details.storm = { messages, folded: fold !== undefined, lastAfterDue };
    log(`storm: ${messages} notification(s) for ${o.storm} clients${fold ? ", folded" : ""}`);

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
      await withClient(db.url, async (c) => {
        // Pause the rule and let the app's evaluation and sending settle before emptying the tables.
        await c.query(`UPDATE alert_rule SET enabled = false`);
        await sleep(2 * EVAL_S * 1000);
        await c.query(`TRUNCATE alert CASCADE`);
        // A long forSeconds: the rule is evaluated every second, as in production, but what
        // this run measures is its cost to ingest, not the sending of thousands of notifications
        // (that is (a)).
        await c.query(
          `UPDATE alert_rule SET enabled = $1, evaluated_until = NULL, for_seconds = 3600`,
          [active],
        );
      });
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
      ...measured(
        "ingest with a client_offline rule evaluated every second",
        "events/s",
        withRules,
      ),
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
};
