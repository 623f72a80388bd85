// The reads the queries suite times (queries.ts): each as an HTTP request and
// as the same call in-process (for its SQL and plan), with its p95 target.
import { availabilityReport } from "../../lib/availability/report";
import { AvailabilityReportQuery } from "../../lib/availability/schemas";
import { listConnections } from "../../lib/clients/connections";
import { listEvents } from "../../lib/clients/events";
import { getClient } from "../../lib/clients/get";
import { countClients, listClients } from "../../lib/clients/list";
import { countClientsAsOf } from "../../lib/clients/list-as-of";
import {
  EventsQuery,
  ListClientsQuery,
  parseQuery,
  RangeQuery,
  SummaryQuery,
} from "../../lib/clients/schemas";
import { getIncident, listIncidents } from "../../lib/incidents/read";
import { labelFacet } from "../../lib/labels/facet";
import { IncidentClientsQuery, ListIncidentsQuery } from "../../lib/incidents/schemas";
import { onlineHistory } from "../../lib/stats/online-history";
import { withClient } from "../lib/database";
import { customerLabel, labelCardinality, siteLabel, type ScaleOptions } from "./scale-data";

export interface QueryCase {
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
export async function seedIncidents(url: string, now: number, clients: number): Promise<string> {
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
    // As on a live database, the detector has already read every stored event:
    // it must not recompute the seeded incidents from connections that lack them.
    await c.query(
      `INSERT INTO incident_detector (id, safe_event_id, seen_event_id)
       SELECT 1, COALESCE(max(id), 0), COALESCE(max(id), 0) FROM lifecycle_event
       ON CONFLICT (id) DO UPDATE SET safe_event_id = EXCLUDED.safe_event_id,
         seen_event_id = EXCLUDED.seen_event_id`,
    );
    await c.query("ANALYZE incident, incident_client");
    const { rows } = await c.query<{ id: string }>(
      `SELECT id FROM incident ORDER BY started_at DESC LIMIT 1`,
    );
    return rows[0]!.id;
  });
}

export function cases(
  clientId: (i: number) => string,
  deepCursor: string,
  o: ScaleOptions,
  incidentId: string,
): QueryCase[] {
  const clients = o.clients;
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
    list("fleet list: first page sorted by clientId, descending", () => ({
      limit: "50",
      sort: "clientId",
      order: "desc",
    })),
    list("fleet list: first page, oldest change first", () => ({
      limit: "50",
      sort: "lastChange",
      order: "asc",
    })),
    list("fleet list: filtered status=pending (rare)", () => ({ limit: "50", status: "pending" })),
    list("fleet list: filtered status=offline", () => ({ limit: "50", status: "offline" })),
    list("fleet list: filtered status=never_seen (the inventory)", () => ({
      limit: "50",
      status: "never_seen",
    })),
    list("fleet list: filtered source=aws", () => ({ limit: "50", source: "aws" })),
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
    ...labelCases(o),
    ...asOfCases(),
    ...reportCases(),
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
      name: "online history, 30 days",
      path: () => "/api/stats/online?range=30d",
      call: () => onlineHistory({ range: "30d" }),
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

/**
 * Label filters (#15: p95 < 300 ms): one site (~500 clients), one customer
 * (~5,000), a firmware version on 15% of the fleet, and a customer with a
 * firmware version; the list and its counts. And the fleet page's facet
 * of the site and firmware keys.
 */
function labelCases(o: ScaleOptions): QueryCase[] {
  const { sites } = labelCardinality(o);
  const customers = Math.max(1, sites / 10);
  const filters: [string, (i: number) => string[]][] = [
    ["one site", (i) => [`site:${siteLabel((i * 37) % sites)}`]],
    ["one customer", (i) => [`customer:${customerLabel((i * 7) % customers)}`]],
    ["fw=4.1.3 (15%)", () => ["fw:4.1.3"]],
    [
      "a customer's fw=4.2.1",
      (i) => [`customer:${customerLabel((i * 7) % customers)}`, "fw:4.2.1"],
    ],
  ];
  const params = (labels: string[], extra: Record<string, string> = {}) => {
    const p = new URLSearchParams(extra);
    for (const l of labels) p.append("label", l);
    return p;
  };
  const facets: QueryCase[] = ["site", "fw"].map((key) => ({
    name: `label facet: ${key}`,
    targetP95Ms: 300,
    path: () => `/api/labels/facet?key=${key}`,
    call: () => labelFacet(key),
  }));
  return facets.concat(
    filters.flatMap(([what, labels]): QueryCase[] => [
      {
        name: `fleet list: label ${what}`,
        targetP95Ms: 300,
        path: (i) => `/api/clients?${params(labels(i), { limit: "50" })}`,
        call: (i) => listClients(parseQuery(ListClientsQuery, params(labels(i), { limit: "50" }))),
      },
      {
        name: `counts: label ${what}`,
        targetP95Ms: 300,
        path: (i) => `/api/stats/summary?${params(labels(i))}`,
        call: (i) => countClients({ label: parseQuery(SummaryQuery, params(labels(i))).label }),
      },
    ]),
  );
}

/**
 * The availability report (#15: first page over 30 days p95 < 500 ms), whole
 * fleet and one site: over its default range, the 30 whole UTC days before
 * today, read from the kept ranking (lib/availability/rank.ts); and over the
 * last 30 days up to now, which it computes from the day rollup.
 */
function reportCases(): QueryCase[] {
  const q = (range: "default" | "rolling", label?: string) => {
    const p = new URLSearchParams(
      range === "rolling" ? { from: String(Date.now() - 30 * DAY), to: String(Date.now()) } : {},
    );
    if (label !== undefined) p.append("label", label);
    return p;
  };
  const report = (name: string, range: "default" | "rolling", label?: string): QueryCase => ({
    name,
    targetP95Ms: 500,
    path: () => `/api/reports/availability?${q(range, label)}`,
    call: () => availabilityReport(parseQuery(AvailabilityReportQuery, q(range, label))),
  });
  return [
    report("availability report: first page, 30 whole days (kept ranking), worst first", "default"),
    report(
      "availability report: 30 whole days (kept ranking), label fw=4.1.3",
      "default",
      "fw:4.1.3",
    ),
    report(
      "availability report: first page over the last 30 days up to now, worst first",
      "rolling",
    ),
    report("availability report: last 30 days up to now, label fw=4.1.3", "rolling", "fw:4.1.3"),
  ];
}
