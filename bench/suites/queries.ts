// 4. Queries at scale: p50/p95 of the read API over HTTP (the built app) on
// the scale database — fleet list (first page, sorted, filtered, searched,
// deep cursor), counts, client detail, 30-day timeline, event log, online
// history — then EXPLAIN (ANALYZE, BUFFERS) of the slowest, run on exactly
// the SQL lib/ sends (captured in-process).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { listConnections } from "../../lib/clients/connections";
import { encodeCursor } from "../../lib/clients/cursor";
import { listEvents } from "../../lib/clients/events";
import { getClient } from "../../lib/clients/get";
import { countClients, listClients } from "../../lib/clients/list";
import { countClientsAsOf } from "../../lib/clients/list-as-of";
import { EventsQuery, ListClientsQuery, RangeQuery } from "../../lib/clients/schemas";
import { getIncident, listIncidents } from "../../lib/incidents/read";
import { IncidentClientsQuery, ListIncidentsQuery } from "../../lib/incidents/schemas";
import { onlineHistory } from "../../lib/stats/online-history";
import { startBenchApp } from "../lib/app";
import { SqlCapture } from "../lib/capture-sql";
import { PROFILES_DIR, profileText, summariseProfiles } from "../lib/cpuprofile";
import type { SuiteContext, SuiteResult } from "../lib/context";
import { withClient } from "../lib/database";
import { measured, type Figure } from "../lib/report";
import { latencySummary, round } from "../lib/stats";
import { scaleDatabase } from "./scale-data";

export interface QueryOptions {
  samples: number;
  warmup: number;
  /** Plans are shown for this many of the slowest queries (and for every one over target). */
  explainSlowest: number;
  targetP95Ms: number;
}

export function queryOptions(smoke: boolean): QueryOptions {
  return { samples: smoke ? 3 : 40, warmup: smoke ? 1 : 3, explainSlowest: 3, targetP95Ms: 300 };
}

interface QueryCase {
  name: string;
  /** The request of sample i (samples vary the client or search so caches do not flatter). */
  path: (i: number) => string;
  /** The same read in-process, for its SQL. */
  call: (i: number) => Promise<unknown>;
  /** Its own p95 target, where the issue sets one (else the suite's). */
  targetP95Ms?: number;
}

const DAY = 86_400_000;

/**
 * The generated fleet churns evenly and has no mass disconnects, so the
 * incident reads get stored incidents of their own: one an hour over the 30
 * days (a very bad month), each with 50 of the fleet's clients.
 */
async function seedIncidents(url: string, now: number, clients: number): Promise<string> {
  return withClient(url, async (c) => {
    await c.query("TRUNCATE incident, incident_client");
    await c.query(
      `INSERT INTO incident (id, started_at, ended_at, closes_at, last_hot_at, burst_end_at,
         affected_clients, reconnected_clients, reasons, created_at, updated_at)
       SELECT gen_random_uuid(), t, t + interval '3 minutes', t + interval '3 minutes', t, t + interval '20 seconds',
              50, 45, '{"CONNECTION_LOST": 40, "SERVER_INITIATED_DISCONNECT": 10}', t, t
         FROM generate_series($1::timestamptz - interval '30 days', $1::timestamptz, interval '1 hour') AS t`,
      [new Date(now)],
    );
    await c.query(
      `INSERT INTO incident_client (incident_id, client_id, session_identifier, version_number, conn_time,
         disconnected_at, disconnect_reason, principal_identifier, ip_address, reconnected_at)
       SELECT i.id, 'dev-g' || (n % 10) || '-' || lpad(n::text, 6, '0'),
              's', 1, i.started_at - interval '1 hour', i.started_at + k * interval '200 milliseconds',
              CASE WHEN k % 5 = 0 THEN 'SERVER_INITIATED_DISCONNECT' ELSE 'CONNECTION_LOST' END,
              'principal-' || (k % 3), '10.0.' || (k % 4) || '.' || k,
              CASE WHEN k % 10 <> 0 THEN i.started_at + k * interval '1 second' END
         FROM incident i, generate_series(1, 50) AS k,
              LATERAL (SELECT (k * 7919 + extract(epoch FROM i.started_at)::bigint) % $1 AS n) c
       ON CONFLICT DO NOTHING`,
      [clients],
    );
    await c.query("ANALYZE incident, incident_client");
    const { rows } = await c.query<{ id: string }>(
      `SELECT id FROM incident ORDER BY started_at DESC LIMIT 1`,
    );
    return rows[0]!.id;
  });
}

function cases(
  clientId: (i: number) => string,
  deepCursor: string,
  clients: number,
  incidentId: string,
): QueryCase[] {
  const search = (i: number) =>
    String((i * 7_919) % clients)
      .padStart(6, "0")
      .slice(0, 5);
  const list = (name: string, q: (i: number) => Record<string, string>): QueryCase => ({
    name,
    path: (i) => `/api/clients?${new URLSearchParams(q(i))}`,
    call: (i) => listClients(ListClientsQuery.parse(q(i))),
  });
  const range = () => ({ from: String(Date.now() - 30 * DAY), to: String(Date.now()) });
  return [
    list("fleet list: first page (50, latest change first)", () => ({ limit: "50" })),
    list("fleet list: first page sorted by clientId", () => ({ limit: "50", sort: "clientId" })),
    list("fleet list: filtered status=online", () => ({ limit: "50", status: "online" })),
    list("fleet list: filtered status=pending (rare)", () => ({ limit: "50", status: "pending" })),
    list("fleet list: searched (q = 5-digit substring)", (i) => ({ limit: "50", q: search(i) })),
    list("fleet list: deep cursor (90% down the list)", () => ({
      limit: "50",
      cursor: deepCursor,
    })),
    {
      name: "counts (GET /api/stats/summary)",
      path: () => "/api/stats/summary",
      call: () => countClients(undefined),
    },
    ...asOfCases(),
    {
      name: "client detail",
      path: (i) => `/api/clients/${encodeURIComponent(clientId(i))}`,
      call: (i) => getClient(clientId(i)),
    },
    {
      name: "30-day timeline (connections)",
      path: (i) =>
        `/api/clients/${encodeURIComponent(clientId(i))}/connections?${new URLSearchParams(range())}`,
      call: (i) => listConnections(clientId(i), RangeQuery.parse(range())),
    },
    {
      name: "event log, first page",
      path: (i) => `/api/clients/${encodeURIComponent(clientId(i))}/events`,
      call: (i) => listEvents(clientId(i), EventsQuery.parse({})),
    },
    {
      name: "online history, 24 h",
      path: () => "/api/stats/online?range=24h",
      call: () => onlineHistory({ range: "24h" }),
    },
    {
      name: "online history, 7 days",
      path: () => "/api/stats/online?range=7d",
      call: () => onlineHistory({ range: "7d" }),
    },
    {
      name: "incidents list, 7 days (GET /api/incidents)",
      targetP95Ms: 200,
      path: () => "/api/incidents",
      call: () => listIncidents(ListIncidentsQuery.parse({})),
    },
    {
      name: "incidents list, 30 days",
      targetP95Ms: 200,
      path: () => `/api/incidents?from=${Date.now() - 30 * DAY}`,
      call: () => listIncidents(ListIncidentsQuery.parse({ from: String(Date.now() - 30 * DAY) })),
    },
    {
      name: "incident detail with its first 100 clients",
      path: () => `/api/incidents/${incidentId}`,
      call: () => getIncident(incidentId, IncidentClientsQuery.parse({})),
    },
  ];
}

/**
 * The fleet at a past moment (GET /api/clients?asOf=, /api/stats/summary?asOf=):
 * a day and a week back, the first page and a status filter, and the counts.
 */
function asOfCases(): QueryCase[] {
  const back = (days: number) => new Date(Date.now() - days * DAY).toISOString();
  const list = (name: string, days: number, extra: Record<string, string> = {}): QueryCase => {
    const q = () => ({ limit: "50", asOf: back(days), ...extra });
    return {
      name,
      targetP95Ms: 500,
      path: () => `/api/clients?${new URLSearchParams(q())}`,
      call: () => listClients(ListClientsQuery.parse(q())),
    };
  };
  const summary = (name: string, days: number): QueryCase => ({
    name,
    targetP95Ms: 500,
    path: () => `/api/stats/summary?asOf=${back(days)}`,
    call: () => countClientsAsOf({}, new Date(back(days))),
  });
  return [
    list("as-of list, 1 day back: first page", 1),
    list("as-of list, 7 days back: first page", 7),
    list("as-of list, 1 day back: status=offline", 1, { status: "offline" }),
    summary("as-of counts, 1 day back (GET /api/stats/summary?asOf=)", 1),
    summary("as-of counts, 7 days back", 7),
  ];
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);

export async function runQuerySuite(ctx: SuiteContext, o: QueryOptions): Promise<SuiteResult> {
  const { log } = ctx;
  const db = await scaleDatabase(ctx);
  const deep = await withClient(db.url, async (c) => {
    const { rows } = await c.query<{ last_event_at: Date; client_id: string }>(
      `SELECT last_event_at, client_id FROM client_state ORDER BY last_event_at DESC, client_id DESC OFFSET $1 LIMIT 1`,
      [Math.floor(db.counts.clients * 0.9)],
    );
    const row = rows[0]!;
    return encodeCursor({
      sort: "lastChange",
      order: "desc",
      value: row.last_event_at.toISOString(),
      clientId: row.client_id,
    });
  });
  const incidentId = await seedIncidents(db.url, db.now, db.counts.clients);
  const all = cases(db.sampleClientId, deep, db.counts.clients, incidentId);
  const profileDir = ctx.profile ? path.join(PROFILES_DIR, "queries-app") : undefined;
  const app = await startBenchApp({ databaseUrl: db.url, profileDir });
  const samples = new Map<string, number[]>(all.map((c) => [c.name, []]));
  try {
    for (let i = -o.warmup; i < o.samples; i += 1) {
      // Round-robin over the cases: a noisy moment hits all of them, not one.
      for (const c of all) {
        const started = performance.now();
        // As a logged-in operator: the session check is part of every read.
        const response = await app.fetch(c.path(Math.abs(i)));
        await response.arrayBuffer();
        const ms = performance.now() - started;
        if (response.status !== 200)
          throw new Error(`${c.name}: ${c.path(i)} answered ${response.status}`);
        if (i >= 0) samples.get(c.name)!.push(ms);
      }
    }
  } finally {
    await app.stop();
  }
  const summaries = all.map((c) => ({ c, s: latencySummary(samples.get(c.name)!) }));
  const figures: Figure[] = summaries.map(({ c, s }) => ({
    section: "4. queries",
    ...measured(`${c.name}, p95 over HTTP`, "ms", [], s.p95),
    detail: `p50 ${round(s.p50)} ms, max ${round(s.max)} ms, n=${s.n}`,
    target: {
      text: `p95 < ${c.targetP95Ms ?? o.targetP95Ms} ms`,
      met: s.p95 < (c.targetP95Ms ?? o.targetP95Ms),
    },
  }));
  figures.unshift({
    section: "4. queries",
    name: `scale: ${db.counts.clients.toLocaleString("en-US")} clients, ${db.counts.connections.toLocaleString("en-US")} connections, ${db.counts.events.toLocaleString("en-US")} events`,
    value: db.counts.events + db.counts.connections,
    unit: "rows",
    runs: [],
  });

  // Plans of the slowest reads, and of any over target.
  const ranked = [...summaries].sort((a, b) => b.s.p95 - a.s.p95);
  const explain = ranked.filter(
    (r, k) => k < o.explainSlowest || r.s.p95 >= (r.c.targetP95Ms ?? o.targetP95Ms),
  );
  const plansDir = path.join(ctx.resultsDir, ctx.smoke ? "plans-smoke" : "plans");
  // Only this run's plans in the folder.
  rmSync(plansDir, { recursive: true, force: true });
  mkdirSync(plansDir, { recursive: true });
  const notes: string[] = [];
  const capture = new SqlCapture(db.url);
  try {
    for (const { c, s } of explain) {
      const queries = await capture.capture(() => c.call(1));
      const parts: string[] = [];
      for (const q of queries) {
        const plan = await capture.explain(q);
        parts.push(
          `-- SQL (${q.values.length} params: ${JSON.stringify(q.values).slice(0, 300)})\n${q.text.trim()}\n\n${plan}`,
        );
      }
      const file = path.join(plansDir, `${slug(c.name)}.txt`);
      writeFileSync(
        file,
        `${c.name}: p95 ${round(s.p95)} ms, p50 ${round(s.p50)} ms over HTTP\n\n${parts.join("\n\n")}\n`,
      );
      const execution = parts
        .map((p) => /Execution Time: ([\d.]+) ms/.exec(p)?.[1] ?? "?")
        .join(" + ");
      notes.push(
        `EXPLAIN ANALYZE of "${c.name}" (p95 ${round(s.p95)} ms; execution ${execution} ms) in ${file}\n${parts.map((p) => p.slice(p.indexOf("\n\n") + 2)).join("\n\n")}`,
      );
      log(`queries: plan of "${c.name}" → ${file}`);
    }
  } finally {
    await capture.close();
  }
  if (profileDir !== undefined) {
    for (const s of summariseProfiles(profileDir, 12))
      notes.push(`read API app CPU profile\n${profileText(s)}`);
  }
  return {
    figures,
    details: {
      options: o,
      counts: db.counts,
      latencies: Object.fromEntries(summaries.map(({ c, s }) => [c.name, s])),
    },
    notes,
  };
}
