// GET /metrics, read by a real Prometheus text-format parser: the fleet
// gauges equal GET /api/stats/summary's counts, the ingest counter counts
// what ingest answered, and nothing is served without the bearer token.
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/ingest/route";
import { GET as summary } from "@/app/api/stats/summary/route";
import { GET as incidents } from "@/app/api/incidents/route";
import { GET as metrics } from "@/app/metrics/route";
import { db } from "@/lib/db/client";
import { putLabels } from "@/lib/labels/client-labels";
import { resetAlerts } from "@/test/support/alerts-db";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest } from "@/test/support/routes";

const TOKEN = "metrics-test-token";
// Read when the metrics registry is first built (on the first scrape below).
process.env.METRICS_LABEL_KEYS = "site, hw.rev";

function scrape(token: string | null = TOKEN): Promise<Response> {
  return metrics(
    new Request(`${BASE}/metrics`, {
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
    }),
  );
}

async function series(): Promise<Map<string, number>> {
  const response = await scrape();
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(await response.text())) {
    for (const sample of family.metrics) {
      const labels = Object.entries(sample.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      values.set(labels ? `${family.name}{${labels}}` : family.name, Number(sample.value));
    }
  }
  return values;
}

beforeEach(async () => {
  await resetDatabase();
  // The alert gauges count what earlier test files left in the alert tables.
  await resetAlerts();
  process.env.METRICS_TOKEN = `old-token, ${TOKEN}`;
});
afterEach(() => {
  delete process.env.METRICS_TOKEN;
});

describe("GET /metrics", () => {
  it("reports the summary's counts and what ingest answered", async () => {
    const before = await series();
    const now = Date.now();
    const batch = [
      envelope(connected("m-online", now - 5_000, 1)),
      envelope(connected("m-gone", now - 600_000, 1)),
      envelope(disconnected("m-gone", now - 590_000, 1)),
      envelope(connected("m-gone", now - 600_000, 1)), // a duplicate
      { topic: "$aws/events/presence/connected/bad#id", payload: { clientId: "bad#id" } },
    ];
    const answer = (await (await ingest(ingestRequest(batch))).json()) as {
      accepted: number;
      duplicates: number;
      rejected: unknown[];
    };
    expect(answer).toMatchObject({ accepted: 3, duplicates: 1 });
    expect(answer.rejected).toHaveLength(1);

    const after = await series();
    const delta = (name: string) => after.get(name)! - (before.get(name) ?? 0);
    expect(delta("fleet_ingest_events_total{result=accepted}")).toBe(3);
    expect(delta("fleet_ingest_events_total{result=duplicate}")).toBe(1);
    expect(delta("fleet_ingest_events_total{result=rejected}")).toBe(1);

    const counts = (await (await summary(new Request(`${BASE}/api/stats/summary`))).json()) as {
      online: number;
      pending: number;
      offline: number;
      flapping: number;
    };
    expect(counts).toMatchObject({ online: 1, offline: 1 });
    expect(after.get("fleet_clients{status=online}")).toBe(counts.online);
    expect(after.get("fleet_clients{status=pending}")).toBe(counts.pending);
    expect(after.get("fleet_clients{status=offline}")).toBe(counts.offline);
    expect(after.get("fleet_clients{status=never_seen}")).toBe(0);
    expect(after.get("fleet_clients_flapping")).toBe(counts.flapping);
    expect(after.get("fleet_stream_subscribers")).toBe(0);
    expect(after.get("fleet_alerts_firing")).toBe(0);
    expect(after.get("fleet_alert_outbox_pending")).toBe(0);
    expect(after.get("fleet_incidents_open")).toBe(0);
    // Exactly the series the design names, no more.
    expect(new Set([...after.keys()].map((k) => k.replace(/\{.*$/, "")))).toEqual(
      new Set([
        "fleet_clients",
        "fleet_clients_flapping",
        "fleet_ingest_events_total",
        "fleet_incidents_open",
        "fleet_alerts_firing",
        "fleet_alert_outbox_pending",
        "fleet_stream_subscribers",
      ]),
    );
  });

  it("splits fleet_clients by METRICS_LABEL_KEYS as the summary counts each label", async () => {
    const now = Date.now();
    await ingest(
      ingestRequest([
        envelope(connected("l-berlin-1", now - 5_000, 1)),
        envelope(connected("l-berlin-2", now - 600_000, 1)),
        envelope(disconnected("l-berlin-2", now - 590_000, 1)),
        envelope(connected("l-paris-1", now - 5_000, 1)),
        envelope(connected("l-unlabelled", now - 5_000, 1)),
      ]),
    );
    await putLabels("l-berlin-1", { site: "berlin", "hw.rev": "b2", team: "x" });
    await putLabels("l-berlin-2", { site: "berlin" });
    await putLabels("l-paris-1", { site: "paris", "hw.rev": "b2" });
    await putLabels("l-never", { site: "paris" }); // labelled, never seen
    const after = await series();
    for (const [key, value] of [
      ["site", "berlin"],
      ["site", "paris"],
      ["hw.rev", "b2"],
    ] as const) {
      const url = `${BASE}/api/stats/summary?label=${encodeURIComponent(`${key}:${value}`)}`;
      const counts = (await (await summary(new Request(url))).json()) as Record<string, number>;
      const name = `label_${key.replace(".", "_")}`;
      for (const [status, field] of [
        ["online", "online"],
        ["pending", "pending"],
        ["offline", "offline"],
        ["never_seen", "neverSeen"],
      ] as const) {
        expect(
          after.get(`fleet_clients{status=${status},${name}=${value}}`),
          `${key}:${value} ${status}`,
        ).toBe(counts[field]);
      }
    }
    expect(after.get("fleet_clients{status=online,label_site=berlin}")).toBe(1);
    expect(after.get("fleet_clients{status=never_seen,label_site=paris}")).toBe(1);
    // Keys not listed make no series; the whole fleet stays the series without label_ labels.
    expect([...after.keys()].some((k) => k.includes("label_team"))).toBe(false);
    expect(after.get("fleet_clients{status=online}")).toBe(3);
  });

  it("counts open incidents as GET /api/incidents shows them", async () => {
    const insert = (id: string, ended: boolean, retracted: boolean) =>
      db().pool.query(
        `INSERT INTO incident (id, started_at, ended_at, closes_at, last_hot_at, burst_end_at,
           affected_clients, reconnected_clients, reasons, created_at, updated_at, retracted_at)
         VALUES ($1, now() - interval '1 hour', $2, now(), now(), now(), 30, 0, '{}', now(), now(), $3)`,
        [id, ended ? new Date() : null, retracted ? new Date() : null],
      );
    await insert("00000000-0000-4000-8000-000000000001", false, false);
    await insert("00000000-0000-4000-8000-000000000002", true, false);
    await insert("00000000-0000-4000-8000-000000000003", false, true);
    const listed = (await (await incidents(new Request(`${BASE}/api/incidents`))).json()) as {
      items: Array<{ endedAt: string | null }>;
    };
    const open = listed.items.filter((i) => i.endedAt === null).length;
    expect(open).toBe(1);
    expect((await series()).get("fleet_incidents_open")).toBe(open);
  });

  it("answers 401 in the error contract without the right bearer token", async () => {
    for (const token of [null, "wrong", ""]) {
      const response = await scrape(token);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: {
          code: "unauthorized",
          message: "A valid bearer token is required (Authorization: Bearer <METRICS_TOKEN>).",
        },
      });
    }
    expect((await scrape("old-token")).status).toBe(200); // rotation: every listed token works
  });

  it("is off, and says how to turn it on, while METRICS_TOKEN is unset", async () => {
    delete process.env.METRICS_TOKEN;
    const response = await scrape();
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: "unauthorized", message: expect.stringContaining("set METRICS_TOKEN") },
    });
  });
});

describe("a bad METRICS_LABEL_KEYS", () => {
  // The server refuses to start with one (lib/config.test.ts, metrics-config.app.test.ts);
  // should a process get this far anyway, scrapes say what is wrong and ingest goes on.
  const holder = globalThis as unknown as { fleetMetrics?: unknown };
  let kept: unknown;
  beforeEach(() => {
    kept = holder.fleetMetrics;
    delete holder.fleetMetrics;
    process.env.METRICS_LABEL_KEYS = "site, Not A Key";
  });
  afterEach(() => {
    holder.fleetMetrics = kept;
    process.env.METRICS_LABEL_KEYS = "site, hw.rev";
  });

  it("answers a JSON error naming the variable, and ingest still counts", async () => {
    const response = await scrape();
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: {
        code: "misconfigured",
        message: expect.stringMatching(/^METRICS_LABEL_KEYS: 'Not A Key' is not a label key/),
      },
    });
    const stored = await ingest(ingestRequest([envelope(connected("m-bad-keys", Date.now(), 1))]));
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ accepted: 1 });
  });
});
