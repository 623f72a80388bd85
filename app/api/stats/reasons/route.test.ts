// GET /api/stats/reasons against real PostgreSQL: disconnects per reason per
// hour, by event time, with exact figures.
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { labelClients } from "@/test/support/labels";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest } from "@/test/support/routes";
import { POST as ingest } from "../../ingest/route";
import { GET as reasons } from "./route";

const HOUR = 3_600_000;
const NOW = Date.now();
const thisHour = Math.floor(NOW / HOUR) * HOUR;

async function get(query: string) {
  const r = await reasons(new Request(`${BASE}/api/stats/reasons?${query}`));
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  await resetDatabase();
  const items = [];
  // Two hours ago: 3 lost, 1 without a reason; this hour: 2 keep-alive timeouts; 2 days ago: 1 (outside 24 h).
  const at = (hoursAgo: number, i: number) => thisHour - hoursAgo * HOUR + 60_000 + i * 1_000;
  const drops: Array<[number, string | null]> = [
    [2, "CONNECTION_LOST"],
    [2, "CONNECTION_LOST"],
    [2, "CONNECTION_LOST"],
    [2, null],
    [0, "MQTT_KEEP_ALIVE_TIMEOUT"],
    [0, "MQTT_KEEP_ALIVE_TIMEOUT"],
    [48, "THROTTLED"],
  ];
  for (const [i, [hoursAgo, reason]] of drops.entries()) {
    const id = `r-${i}`;
    items.push(envelope(connected(id, at(hoursAgo, i) - 30_000, 1)));
    items.push(
      envelope(
        disconnected(id, Math.min(at(hoursAgo, i), NOW - 1_000), 1, {
          disconnectReason: reason ?? undefined,
        }),
      ),
    );
  }
  expect((await ingest(ingestRequest(items))).status).toBe(200);
});

describe("GET /api/stats/reasons", () => {
  it("counts disconnects per reason per hour over 24 hours", async () => {
    const { status, body } = await get("range=24h");
    expect(status).toBe(200);
    expect(body.bucketSeconds).toBe(3600);
    expect(body.buckets).toHaveLength(24);
    expect(body.buckets[23].at).toBe(new Date(thisHour).toISOString());
    expect(body.reasons).toEqual(["CONNECTION_LOST", "MQTT_KEEP_ALIVE_TIMEOUT", "UNKNOWN"]);
    expect(body.buckets[21].counts).toEqual({ CONNECTION_LOST: 3, UNKNOWN: 1 });
    expect(body.buckets[23].counts).toEqual({ MQTT_KEEP_ALIVE_TIMEOUT: 2 });
    const total = body.buckets.reduce(
      (n: number, b: { counts: Record<string, number> }) =>
        n + Object.values(b.counts).reduce((a, c) => a + c, 0),
      0,
    );
    expect(total).toBe(6);
  });

  it("counts per day over 7 days", async () => {
    const { body } = await get("range=7d");
    expect(body.bucketSeconds).toBe(86_400);
    expect(body.buckets).toHaveLength(7);
    expect(body.reasons).toContain("THROTTLED");
  });

  it("counts only the disconnects of clients carrying every label", async () => {
    // r-0 and r-1 (lost, two hours ago) and r-4 (keep-alive, this hour) are in Berlin.
    await labelClients({
      "r-0": { site: "berlin", tier: "gold" },
      "r-1": { site: "berlin" },
      "r-4": { site: "berlin", tier: "gold" },
      "r-2": { site: "paris" },
    });
    const berlin = (await get("range=24h&label=site:berlin")).body;
    expect(berlin.reasons).toEqual(["CONNECTION_LOST", "MQTT_KEEP_ALIVE_TIMEOUT"]);
    expect(berlin.buckets[21].counts).toEqual({ CONNECTION_LOST: 2 });
    expect(berlin.buckets[23].counts).toEqual({ MQTT_KEEP_ALIVE_TIMEOUT: 1 });
    const gold = (await get("range=24h&label=site:berlin&label=tier:gold")).body;
    expect(gold.buckets[21].counts).toEqual({ CONNECTION_LOST: 1 });
    expect(gold.buckets[23].counts).toEqual({ MQTT_KEEP_ALIVE_TIMEOUT: 1 });
    expect((await get("range=24h&label=site:nowhere")).body.reasons).toEqual([]);
    expect(await get("range=24h&label=site")).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_query" } },
    });
  });

  it("refuses another range with the contract's 400", async () => {
    expect(await get("range=1y")).toEqual({
      status: 400,
      body: {
        error: {
          code: "invalid_query",
          message: 'range: Invalid option: expected one of "24h"|"7d"',
        },
      },
    });
  });
});
