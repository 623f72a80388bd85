// Alerts at fleet scale: a fleet loaded with COPY (1,000,000 connected
// clients in the full run), one client_offline rule evaluated every second by
// the running app, then (a) the scheduler's due query on that table, (b)
// 10,000 clients dropping at once → time until the folded incident
// notification reaches a real HTTP receiver, and (c) a steady churn of 1,000
// disconnects a minute → how late each firing is against its due time
// (receipt + grace + forSeconds); the promise is at most 5 s late.
import { FIRE_OFFLINE_SQL, WATERMARK_MARGIN_MS } from "../../lib/alerts/evaluate-sql";
import { startReceiver } from "../../test/support/receiver";
import { disconnected, envelope } from "../../test/support/events";
import { alertingEnv, createOfflineRule, EVAL_S, FOR_S } from "../lib/alerts";
import { postBatch, startBenchApp } from "../lib/app";
import { drain, sleep, type Suite } from "../lib/context";
import { chunked, copyFrom, copyRow } from "../lib/copy";
import { withClient } from "../lib/database";
import { measured, type Figure } from "../lib/report";
import { percentile, round } from "../lib/stats";
import { batches } from "../lib/workload";

export interface AlertsScaleOptions {
  clients: number;
  /** Clients that drop at once in (b). */
  storm: number;
  /** Disconnects a minute and seconds of churn in (c). */
  churnPerMinute: number;
  churnSeconds: number;
  /** OFFLINE_GRACE_SECONDS of the app. */
  graceSeconds: number;
}

// The full run keeps the product's default grace period (30 s): the incident
// detector needs those seconds to see a mass disconnect before the
// per-client alerts are due (and fold into it), and at 1,000,000 clients its
// online count takes longer. The smoke run's small fleet is quick with 5 s.
export function alertsScaleOptions(smoke: boolean): AlertsScaleOptions {
  return smoke
    ? { clients: 20_000, storm: 2_000, churnPerMinute: 1_000, churnSeconds: 10, graceSeconds: 5 }
    : {
        clients: 1_000_000,
        storm: 10_000,
        churnPerMinute: 1_000,
        churnSeconds: 120,
        graceSeconds: 30,
      };
}

const LATE_LIMIT_MS = 5_000;

const idOf = (n: number) => `fleet-${String(n).padStart(7, "0")}`;
const sessionOf = (n: number) => `s-${n}`;
const iso = (t: number) => new Date(t).toISOString();

/** Every client connected a day ago, one current connection each, as ingest would have left them. */
async function loadFleet(url: string, clients: number, log: (l: string) => void): Promise<number> {
  const started = performance.now();
  const since = Date.now() - 86_400_000;
  await withClient(url, async (c) => {
    await c.query("SET synchronous_commit = off");
    await c.query("SET maintenance_work_mem = '256MB'");
    const { rows: indexes } = await c.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename IN ('client_state', 'connection')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I', i.indexname)::regclass)`,
    );
    for (const index of indexes) await c.query(`DROP INDEX "${index.name}"`);
    const at = (n: number) => since + (n % 3_600_000);
    await copyFrom(
      c,
      `COPY client_state (client_id, session_identifier, version_number, connected_at, principal_identifier,
                          last_connected_at, last_event_at, first_seen_at, updated_at) FROM STDIN`,
      chunked(
        (function* () {
          for (let n = 0; n < clients; n += 1) {
            const t = iso(at(n));
            yield copyRow([idOf(n), sessionOf(n), 1, t, `p-${n}`, t, t, t, t]);
          }
        })(),
      ),
    );
    await copyFrom(
      c,
      `COPY connection (client_id, session_identifier, version_number, connected_at, principal_identifier) FROM STDIN`,
      chunked(
        (function* () {
          for (let n = 0; n < clients; n += 1)
            yield copyRow([idOf(n), sessionOf(n), 1, iso(at(n)), `p-${n}`]);
        })(),
      ),
    );
    // A partitioned table's index is listed as CREATE INDEX ... ON ONLY: rebuild it on every partition too.
    for (const index of indexes) await c.query(index.def.replace(" ON ONLY ", " ON "));
    await c.query("VACUUM (ANALYZE) client_state, connection");
  });
  const seconds = (performance.now() - started) / 1000;
  log(`${clients.toLocaleString("en-US")} clients loaded with COPY in ${seconds.toFixed(0)} s`);
  return seconds;
}

async function drop(url: string, ns: readonly number[], concurrency = 4): Promise<void> {
  const at = Date.now();
  const events = ns.map((n) =>
    envelope(disconnected(idOf(n), at, 1, { sessionIdentifier: sessionOf(n) })),
  );
  await drain(batches(events, 1000), concurrency, 5 * 60_000, (b) =>
    postBatch(url, JSON.stringify(b), b.length),
  );
}

export const runAlertsScaleSuite: Suite<AlertsScaleOptions> = async (ctx, o) => {
  const { log } = ctx;
  const db = await ctx.server.scratch("alertscale");
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const notes: string[] = [];
  const receiver = await startReceiver();
  const notices: Array<{ at: number; incidentId: string | null; clients: number }> = [];
  receiver.respond((r) => {
    const body = JSON.parse(r.body) as { clients: unknown[]; incidentId: string | null };
    notices.push({ at: Date.now(), incidentId: body.incidentId, clients: body.clients.length });
    return { status: 200 };
  });
  details.loadSeconds = await loadFleet(db.url, o.clients, log);
  const ruleId = await createOfflineRule(db.url, {
    hookUrl: `${receiver.url}/hook`,
    name: "offline",
    forSeconds: FOR_S,
  });
  const app = await startBenchApp({
    databaseUrl: db.url,
    env: {
      ...alertingEnv(o.graceSeconds, EVAL_S),
      // 10,000 of 1,000,000 is 1%: under the default 5% share no incident would open.
      INCIDENT_MIN_SHARE: String((o.storm / o.clients) * 0.5),
    },
  });
  try {
    // (a) The due query at this size, as the scheduler runs it each second (watermark a second ago).
    await sleep(3 * EVAL_S * 1000); // the first full pass (no watermark) is behind us
    const plan = await withClient(db.url, async (c) => {
      await c.query("SET jit = off");
      const now = new Date();
      const samples: number[] = [];
      let text = "";
      for (let i = 0; i < 5; i += 1) {
        // The INSERT itself, rolled back: nothing it would fire is kept.
        await c.query("BEGIN");
        const { rows } = await c.query<{ "QUERY PLAN": string }>(
          `EXPLAIN (ANALYZE, BUFFERS) ${FIRE_OFFLINE_SQL}`,
          [
            ruleId,
            now,
            o.graceSeconds * 1000,
            FOR_S * 1000,
            "%",
            new Date(now.getTime() - EVAL_S * 1000),
            WATERMARK_MARGIN_MS,
            "{}",
          ],
        );
        await c.query("ROLLBACK");
        text = rows.map((r) => r["QUERY PLAN"]).join("\n");
        samples.push(Number(/Execution Time: ([\d.]+)/.exec(text)?.[1] ?? Number.NaN));
      }
      return { samples, text };
    });
    figures.push({
      section: "alerts",
      ...measured(
        `the scheduler's due query over ${o.clients.toLocaleString("en-US")} clients (steady state)`,
        "ms",
        plan.samples,
      ),
      target: {
        text: "well under the 1 s evaluation interval",
        met: Math.max(...plan.samples) < 1000,
      },
    });
    notes.push(`due query plan at ${o.clients} clients\n${plan.text}`);

    // (b) A mass disconnect: the folded notification, against its due time.
    const storm = Array.from({ length: o.storm }, (_, i) => i * Math.floor(o.clients / o.storm));
    const dropStart = Date.now();
    await drop(app.url, storm, 8);
    const received = Date.now();
    const due = received + (o.graceSeconds + FOR_S) * 1000;
    const folded = () => notices.find((n) => n.incidentId !== null);
    let incidentAt = Number.NaN;
    while (folded() === undefined && Date.now() < due + 120_000) {
      if (Number.isNaN(incidentAt)) {
        const opened = await withClient(db.url, (c) =>
          c.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident`),
        );
        if ((opened.rows[0]?.n ?? 0) > 0) incidentAt = Date.now();
      }
      await sleep(250);
    }
    await sleep(5_000);
    const fold = folded();
    const messages = notices.filter((n) => n.at >= received).length;
    // Due times as stored: the drop's batches were received over a few seconds,
    // so the first client is due before the last batch's receipt + grace + for.
    const dues = await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ first: Date | null; last: Date | null }>(
        `SELECT min(started_at) AS first, max(started_at) AS last FROM alert
          WHERE rule_id = $1 AND episode NOT LIKE 'incident:%'`,
        [ruleId],
      );
      return { first: rows[0]?.first?.getTime() ?? due, last: rows[0]?.last?.getTime() ?? due };
    });
    const afterDue = fold === undefined ? Number.NaN : fold.at - dues.first;
    figures.push({
      section: "alerts",
      ...measured(
        `${o.storm.toLocaleString("en-US")} of ${o.clients.toLocaleString("en-US")} clients drop at once: the folded notification after the first client is due`,
        "ms",
        [afterDue],
      ),
      detail: `${messages} notification(s) for ${o.storm} clients; grace ${o.graceSeconds} s + for ${FOR_S} s; ingest of the drop took ${received - dropStart} ms; the incident was detected ${round(incidentAt - received)} ms after it; the last client was due ${round(dues.last - dues.first)} ms after the first`,
      target: { text: "≤ 5,000 ms after grace + forSeconds", met: afterDue <= LATE_LIMIT_MS },
    });
    details.storm = {
      messages,
      folded: fold !== undefined,
      afterDue,
      incidentAfterDropMs: incidentAt - received,
    };
    log(
      `storm: ${messages} notification(s), folded ${fold !== undefined}, ${afterDue} ms after due`,
    );

    // (c) Steady churn: lateness of each firing = alert created − due (started_at).
    const churnStart = new Date();
    const perSecond = o.churnPerMinute / 60;
    const pool = Array.from({ length: o.clients }, (_, n) => n).filter(
      (n) => n % Math.floor(o.clients / o.storm) !== 0,
    );
    let next = 0;
    let carry = 0;
    for (let s = 0; s < o.churnSeconds; s += 1) {
      const tick = Date.now();
      carry += perSecond;
      const count = Math.floor(carry);
      carry -= count;
      await drop(app.url, pool.slice(next, next + count), 1);
      next += count;
      await sleep(Math.max(0, 1000 - (Date.now() - tick)));
    }
    await sleep((o.graceSeconds + FOR_S + 3 * EVAL_S) * 1000);
    const lateness = await withClient(db.url, async (c) => {
      const { rows } = await c.query<{ ms: number }>(
        `SELECT extract(epoch FROM created_at - started_at)::float8 * 1000 AS ms FROM alert
          WHERE rule_id = $1 AND started_at >= $2 AND episode NOT LIKE 'incident:%'`,
        [ruleId, churnStart],
      );
      return rows.map((r) => r.ms);
    });
    const worst = Math.max(...lateness);
    figures.push({
      section: "alerts",
      ...measured(
        `client_offline lateness at ${o.clients.toLocaleString("en-US")} clients, ${o.churnPerMinute}/min churn for ${o.churnSeconds} s`,
        "ms",
        [worst],
      ),
      detail: `p50 ${round(percentile(lateness, 50))} ms, p99 ${round(percentile(lateness, 99))} ms, max ${round(worst)} ms; ${lateness.length} firings of ${next}`,
      target: { text: "worst ≤ 5,000 ms after grace + forSeconds", met: worst <= LATE_LIMIT_MS },
      runsLabel: "worst firing",
    });
    details.churn = {
      firings: lateness.length,
      expected: next,
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: worst,
    };
  } finally {
    await app.stop();
    await receiver.close();
    await db.drop();
  }
  return { figures, details, notes };
};
