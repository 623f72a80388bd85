// GET /metrics, read by a real Prometheus text-format parser: the fleet
// gauges equal GET /api/stats/summary's counts, the ingest counter counts
// what ingest answered, and nothing is served without the bearer token.
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/api/ingest/route";
import { GET as summary } from "@/app/api/stats/summary/route";
import { GET as metrics } from "@/app/metrics/route";
import { resetAlerts } from "@/test/support/alerts-db";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest } from "@/test/support/routes";

const TOKEN = "metrics-test-token";

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
