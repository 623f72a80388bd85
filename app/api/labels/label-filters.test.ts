// `label=key:value` on the fleet reads, against real PostgreSQL: the list,
// the counts (with neverSeen for an inventory not yet online), the online
// chart and the CSV export keep only the clients carrying every label.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { labelClients } from "@/test/support/labels";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest, viewerRequest } from "@/test/support/routes";
import { GET as listClients } from "../clients/route";
import { GET as exportCsv } from "../export/connections.csv/route";
import { POST as ingest } from "../ingest/route";
import { GET as online } from "../stats/online/route";
import { GET as facet } from "./facet/route";
import { GET as summary } from "../stats/summary/route";

const NOW = Date.now();
const MIN = 60_000;

async function read(handler: (r: Request) => Promise<Response>, path: string) {
  const r = await handler(new Request(`${BASE}${path}`));
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

beforeEach(async () => {
  await resetDatabase();
  const r = await ingest(
    ingestRequest([
      envelope(connected("ber-1", NOW - 10 * MIN, 1)),
      envelope(connected("ber-2", NOW - 9 * MIN, 1)),
      envelope(disconnected("ber-2", NOW - 8 * MIN, 1)),
      envelope(connected("par-1", NOW - 7 * MIN, 1)),
      envelope(connected("nolabel", NOW - 6 * MIN, 1)),
    ]),
  );
  expect(r.status).toBe(200);
  await labelClients({
    "ber-1": { site: "berlin", tier: "gold" },
    "ber-2": { site: "berlin" },
    "par-1": { site: "paris", tier: "gold" },
    "ber-unseen": { site: "berlin" },
  });
});

const ids = (body: Record<string, unknown>) =>
  (body.items as { clientId: string }[]).map((c) => c.clientId);

describe("label filters", () => {
  it("lists the clients carrying every label, each with its labels", async () => {
    const one = await read(listClients, "/api/clients?sort=clientId&label=site:berlin");
    expect(one.status).toBe(200);
    // The inventory's device that never came online is listed too, as never_seen.
    expect(ids(one.body)).toEqual(["ber-1", "ber-2", "ber-unseen"]);
    expect((one.body.items as { status: string }[]).map((c) => c.status)).toEqual([
      "online",
      "offline",
      "never_seen",
    ]);
    const unseen = await read(listClients, "/api/clients?status=never_seen");
    expect(ids(unseen.body)).toEqual(["ber-unseen"]);
    expect((one.body.items as { labels: unknown }[])[0]!.labels).toEqual({
      site: "berlin",
      tier: "gold",
    });
    expect(one.body.counts).toEqual({
      online: 1,
      pending: 0,
      offline: 1,
      total: 2,
      flapping: 0,
      neverSeen: 1,
    });
    const both = await read(
      listClients,
      "/api/clients?sort=clientId&label=site:berlin&label=tier:gold",
    );
    expect(ids(both.body)).toEqual(["ber-1"]);
    const all = await read(listClients, "/api/clients?sort=clientId");
    expect((all.body.items as { labels: unknown }[]).map((c) => c.labels)).toEqual([
      { site: "berlin", tier: "gold" },
      { site: "berlin" },
      { site: "berlin" },
      {},
      { site: "paris", tier: "gold" },
    ]);
  });

  it("counts by label in the summary, neverSeen apart from total", async () => {
    expect(await read(summary, "/api/stats/summary?label=tier:gold")).toEqual({
      status: 200,
      body: { online: 2, pending: 0, offline: 0, total: 2, flapping: 0, neverSeen: 0 },
    });
    expect((await read(summary, "/api/stats/summary")).body).toMatchObject({
      total: 4,
      neverSeen: 1,
    });
  });

  it("draws the online chart of the labelled clients only", async () => {
    const { body } = await read(online, "/api/stats/online?range=24h&label=site:berlin");
    const points = body.points as { online: number }[];
    expect(points.at(-1)!.online).toBe(1);
    const everyone = await read(online, "/api/stats/online?range=24h");
    expect((everyone.body.points as { online: number }[]).at(-1)!.online).toBe(3);
  });

  it("exports the timelines of the labelled clients only", async () => {
    const r = await exportCsv(viewerRequest(`${BASE}/api/export/connections.csv?label=site:paris`));
    expect(r.status).toBe(200);
    const lines = (await r.text()).trim().split("\r\n");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["par-1"]);
  });

  it.each([
    ["label=site", "label.0: label filter 'site' must be key:value"],
    [
      "label=Site:x",
      "label.0: label key 'Site' must match [a-z0-9][a-z0-9_.-]{0,62} (lower-case letters, digits, '_', '.', '-'; at most 63 characters, starting with a letter or digit)",
    ],
    ["label=site:", "label.0: label 'site' has an empty value (values are 1 to 256 characters)"],
  ])("refuses %s with the error contract", async (query, message) => {
    expect(await read(listClients, `/api/clients?${query}`)).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message } },
    });
  });
});

describe("GET /api/labels/facet", () => {
  it("splits the fleet by one key: clients, online and never seen per value", async () => {
    expect(await read(facet, "/api/labels/facet?key=site")).toEqual({
      status: 200,
      body: {
        key: "site",
        items: [
          { value: "berlin", clients: 2, online: 1, neverSeen: 1 },
          { value: "paris", clients: 1, online: 1, neverSeen: 0 },
        ],
      },
    });
    expect(await read(facet, "/api/labels/facet?key=nothing")).toEqual({
      status: 200,
      body: { key: "nothing", items: [] },
    });
  });

  it("refuses a missing or bad key", async () => {
    expect(await read(facet, "/api/labels/facet")).toEqual({
      status: 400,
      body: {
        error: { code: "invalid_query", message: "key is required (a label key, e.g. site)" },
      },
    });
    expect((await read(facet, "/api/labels/facet?key=Site")).status).toBe(400);
  });
});
