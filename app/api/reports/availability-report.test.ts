// The fleet availability report through its route handlers against real
// PostgreSQL: worst first (or best first), label and search filters, cursor
// paging without repeats or gaps, the CSV with the same rows and errors that
// name the field.
import { beforeEach, describe, expect, it } from "vitest";
import { replaceLabels } from "@/lib/labels/store";
import { db } from "@/lib/db/client";
import { rankUsable, rankWindow, runRankJob } from "@/lib/availability/rank";
import { countRows, resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest, viewerRequest } from "@/test/support/routes";
import { POST as ingest } from "../ingest/route";
import { GET as report } from "./availability/route";
import { GET as reportCsv } from "./availability.csv/route";

const H = 3_600_000;
const D0 = Date.UTC(2026, 10, 2);
const RANGE = `from=${new Date(D0).toISOString()}&to=${new Date(D0 + 24 * H).toISOString()}`;

/** Online hours within the range per client: availability = hours / 24. */
const FLEET: [string, number, Record<string, string>][] = [
  ["ber-steady", 24, { site: "berlin" }],
  ["ber-restless", 6, { site: "berlin" }],
  ["ber-half", 12, { site: "berlin", tier: "gold" }],
  ["par-half", 12, { site: "paris" }],
  ["par-low", 3, { site: "paris" }],
];

interface Item {
  clientId: string;
  availability: number | null;
  onlineSeconds: number;
  observedSeconds: number;
  disconnects: number;
  labels: Record<string, string>;
}

async function page(query: string) {
  const r = await report(viewerRequest(`${BASE}/api/reports/availability?${RANGE}&${query}`));
  return {
    status: r.status,
    body: (await r.json()) as { items: Item[]; nextCursor: string | null },
  };
}

beforeEach(async () => {
  await resetDatabase();
  const events = FLEET.flatMap(([id, hours]) =>
    hours === 24
      ? [connected(id, D0 - H, 1)]
      : [connected(id, D0, 1), disconnected(id, D0 + hours * H, 1)],
  );
  // The bridge's own client is infrastructure, never part of a report.
  events.push(connected("fleet-presence-bridge-1", D0, 1));
  const r = await ingest(ingestRequest(events.map(envelope)));
  expect(r.status).toBe(200);
  await replaceLabels(new Map(FLEET.map(([id, , labels]) => [id, labels])));
});

describe("GET /api/reports/availability", () => {
  it("lists every fleet client worst first, ties by client ID, with its figures and labels", async () => {
    const { status, body } = await page("");
    expect(status).toBe(200);
    expect(body.items.map((i) => [i.clientId, i.availability])).toEqual([
      ["par-low", 3 / 24],
      ["ber-restless", 6 / 24],
      ["ber-half", 0.5],
      ["par-half", 0.5],
      ["ber-steady", 1],
    ]);
    expect(body.items[0]).toEqual({
      clientId: "par-low",
      availability: 3 / 24,
      onlineSeconds: 3 * 3600,
      observedSeconds: 24 * 3600,
      disconnects: 1,
      labels: { site: "paris" },
    });
    expect(body.nextCursor).toBeNull();
  });

  it("order=desc: best first", async () => {
    const { body } = await page("order=desc");
    expect(body.items.map((i) => i.clientId)).toEqual([
      "ber-steady",
      "ber-half",
      "par-half",
      "ber-restless",
      "par-low",
    ]);
  });

  it("label filters (all must match) and q", async () => {
    expect((await page("label=site:berlin")).body.items.map((i) => i.clientId)).toEqual([
      "ber-restless",
      "ber-half",
      "ber-steady",
    ]);
    expect(
      (await page("label=site:berlin&label=tier:gold")).body.items.map((i) => i.clientId),
    ).toEqual(["ber-half"]);
    expect((await page("q=half")).body.items.map((i) => i.clientId)).toEqual([
      "ber-half",
      "par-half",
    ]);
  });

  it.each(["asc", "desc"])("pages with limit and cursor: every client once (%s)", async (order) => {
    const all = (await page(`order=${order}`)).body.items.map((i) => i.clientId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `order=${order}&limit=2${cursor === null ? "" : `&cursor=${cursor}`}`;
      const { status, body } = await page(q);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i) => i.clientId));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all);
  });

  it.each([
    ["limit=0", "limit"],
    ["order=worst", "order"],
    ["label=site", "label"],
    ["cursor=garbage", "cursor"],
    [
      `cursor=${Buffer.from(JSON.stringify({ order: "desc", availability: 0.5, clientId: "x" })).toString("base64url")}`,
      "cursor",
    ],
  ])("400 naming the field: %s", async (query, field) => {
    const { status, body } = await page(query);
    expect(status).toBe(400);
    const error = (body as unknown as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("invalid_query");
    expect(error.message).toContain(field);
  });
});

describe("GET /api/reports/availability.csv", () => {
  it("streams the same rows, worst first, with a header", async () => {
    const r = await reportCsv(
      viewerRequest(`${BASE}/api/reports/availability.csv?${RANGE}&label=site:paris`),
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("content-disposition")).toMatch(
      /^attachment; filename="availability-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect((await r.text()).split("\r\n")).toEqual([
      "clientId,availability,onlineSeconds,observedSeconds,disconnects,labels",
      'par-low,0.125,10800,86400,1,"{""site"": ""paris""}"',
      'par-half,0.5,43200,86400,1,"{""site"": ""paris""}"',
      "",
    ]);
  });
});

describe("GET /api/reports/availability without from and to", () => {
  // The 30 whole UTC days before today: the kept ranking's window (lib/availability/rank.ts).
  const today = Math.floor(Date.now() / (24 * H)) * 24 * H;
  const DAYS = 24 * H;

  async function defaultPage() {
    const r = await report(viewerRequest(`${BASE}/api/reports/availability?q=rank-`));
    expect(r.status).toBe(200);
    return (await r.json()) as { from: string; to: string; items: Item[] };
  }

  it("reports the 30 whole days before today, the same before the ranking, from it, and for a marked client", async () => {
    const r = await ingest(
      ingestRequest(
        [
          connected("rank-half", today - 2 * DAYS, 1),
          disconnected("rank-half", today - 2 * DAYS + 12 * H, 1),
          connected("rank-steady", today - 3 * DAYS, 1),
        ].map(envelope),
      ),
    );
    expect(r.status).toBe(200);
    const expected = {
      from: new Date(today - 30 * DAYS).toISOString(),
      to: new Date(today).toISOString(),
      items: [
        // Observed from its first event, two days before today: 12 h of 48 h.
        {
          clientId: "rank-half",
          availability: 0.25,
          onlineSeconds: 12 * 3600,
          observedSeconds: 48 * 3600,
          disconnects: 1,
          labels: {},
        },
        // The open connection counts up to the end of the window, today's midnight.
        {
          clientId: "rank-steady",
          availability: 1,
          onlineSeconds: 72 * 3600,
          observedSeconds: 72 * 3600,
          disconnects: 0,
          labels: {},
        },
      ],
    };
    expect(await defaultPage()).toMatchObject(expected);
    await runRankJob(db().pool);
    const window = rankWindow(Date.now());
    expect(await rankUsable(db().pool, window.from, window.to, Date.now())).toBe(true);
    expect(await countRows("availability_rank_dirty")).toBe(0);
    expect(await defaultPage()).toMatchObject(expected);

    // A late disconnect: rank-steady is marked, and computed until the job runs again.
    await ingest(ingestRequest([disconnected("rank-steady", today - DAYS, 1)].map(envelope)));
    expect(await countRows("availability_rank_dirty")).toBe(1);
    const after = {
      ...expected,
      items: [
        expected.items[0],
        {
          clientId: "rank-steady",
          availability: 2 / 3,
          onlineSeconds: 48 * 3600,
          observedSeconds: 72 * 3600,
          disconnects: 1,
          labels: {},
        },
      ],
    };
    expect(await defaultPage()).toMatchObject(after);
    await runRankJob(db().pool);
    expect(await countRows("availability_rank_dirty")).toBe(0);
    expect(await defaultPage()).toMatchObject(after);
  });
});
