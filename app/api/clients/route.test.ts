import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope, subscribed } from "@/test/support/events";
import { BASE, ingestRequest, params } from "@/test/support/routes";
import { CSV_COLUMNS } from "@/lib/export/connections-csv";
import { POST as ingest } from "../ingest/route";
import { GET as getClient } from "./[clientId]/route";
import { GET as getConnections } from "./[clientId]/connections/route";
import { GET as getEvents } from "./[clientId]/events/route";
import { GET as listClients } from "./route";
import { GET as health } from "../health/route";

const NOW = Date.now();
const MIN = 60_000;

async function post(items: unknown[]) {
  const r = await ingest(ingestRequest(items));
  expect(r.status).toBe(200);
  return r.json();
}

async function list(query: string) {
  const r = await listClients(new Request(`${BASE}/api/clients?${query}`));
  return { status: r.status, body: await r.json() };
}

beforeEach(resetDatabase);

describe("GET /api/clients", () => {
  beforeEach(async () => {
    await post([
      envelope(connected("online-1", NOW - 10 * MIN, 1)),
      envelope(
        subscribed("online-1", NOW - 9 * MIN, ["cmd/online-1", "$aws/things/online-1/shadow/#"]),
      ),
      envelope(connected("online-2", NOW - 8 * MIN, 3)),
      envelope(connected("gone", NOW - 60 * MIN, 1)),
      envelope(disconnected("gone", NOW - 50 * MIN, 1)),
      envelope(connected("just-dropped", NOW - 5 * MIN, 2)),
      envelope(
        disconnected("just-dropped", NOW - 1_000, 2, {
          disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
        }),
      ),
    ]);
  });

  it("lists every client with its status and the counts", async () => {
    const { status, body } = await list("sort=clientId");
    expect(status).toBe(200);
    expect(
      body.items.map((c: { clientId: string; status: string }) => [c.clientId, c.status]),
    ).toEqual([
      ["gone", "offline"],
      ["just-dropped", "pending"],
      ["online-1", "online"],
      ["online-2", "online"],
    ]);
    expect(body.counts).toEqual({
      online: 2,
      pending: 1,
      offline: 1,
      total: 4,
      flapping: 0,
      neverSeen: 0,
    });
    expect(body.nextCursor).toBeNull();
    const online1 = body.items[2];
    expect(online1).toMatchObject({
      clientId: "online-1",
      since: new Date(NOW - 10 * MIN).toISOString(),
      lastConnectedAt: new Date(NOW - 10 * MIN).toISOString(),
      lastDisconnectedAt: null,
      principalIdentifier: "principal-online-1",
      sessionIdentifier: "session-online-1",
      versionNumber: 1,
      ipAddress: "192.0.2.10",
      subscriptions: ["$aws/things/online-1/shadow/#", "cmd/online-1"],
      flapping: false,
    });
  });

  it("filters by status and searches by substring (LIKE wildcards are literal)", async () => {
    expect(
      (await list("status=online")).body.items.map((c: { clientId: string }) => c.clientId).sort(),
    ).toEqual(["online-1", "online-2"]);
    expect(
      (await list("status=pending")).body.items.map((c: { clientId: string }) => c.clientId),
    ).toEqual(["just-dropped"]);
    expect(
      (await list("status=offline")).body.items.map((c: { clientId: string }) => c.clientId),
    ).toEqual(["gone"]);
    expect((await list("q=drop")).body.items.map((c: { clientId: string }) => c.clientId)).toEqual([
      "just-dropped",
    ]);
    expect((await list("q=%25")).body.items).toEqual([]);
    expect((await list("q=_")).body.items).toEqual([]);
  });

  it("pages with a cursor without repeats or gaps, in both orders", async () => {
    for (const order of ["asc", "desc"]) {
      for (const sort of ["clientId", "lastChange"]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const q: string = `sort=${sort}&order=${order}&limit=1${cursor ? `&cursor=${cursor}` : ""}`;
          const { body } = await list(q);
          seen.push(...body.items.map((c: { clientId: string }) => c.clientId));
          cursor = body.nextCursor;
        } while (cursor !== null);
        expect(seen).toHaveLength(4);
        expect(new Set(seen).size).toBe(4);
      }
    }
  });

  it("keeps the cursor stable while data changes", async () => {
    const first = await list("sort=clientId&limit=2");
    await post([envelope(connected("aaa-new", NOW, 1))]);
    const second = await list(`sort=clientId&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((c: { clientId: string }) => c.clientId)).toEqual([
      "online-1",
      "online-2",
    ]);
  });

  it.each([
    {
      query: "status=sleeping",
      message: 'status: Invalid option: expected one of "online"|"pending"|"offline"|"never_seen"',
    },
    { query: "limit=0", message: "limit: Too small: expected number to be >=1" },
    { query: "limit=501", message: "limit: Too big: expected number to be <=500" },
    {
      query: "sort=color",
      message: 'sort: Invalid option: expected one of "clientId"|"lastChange"',
    },
    { query: "cursor=garbage", message: "cursor: not a cursor returned by this API" },
  ])("400 for $query", async ({ query, message }) => {
    expect(await list(query)).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message } },
    });
  });

  it("400 for a cursor of another sort", async () => {
    const { body } = await list("sort=clientId&limit=1");
    expect(await list(`sort=lastChange&limit=1&cursor=${body.nextCursor}`)).toEqual({
      status: 400,
      body: {
        error: {
          code: "invalid_query",
          message: "cursor: it belongs to another sort or order; start again without it",
        },
      },
    });
  });
});

describe("GET /api/clients/{clientId}", () => {
  it("returns a client whose ID has slashes, spaces and unicode", async () => {
    const id = "plant 7/line-2/ünit";
    await post([envelope(connected(id, NOW - MIN, 4))]);
    const r = await getClient(
      new Request(`${BASE}/api/clients/${encodeURIComponent(id)}`),
      params({ clientId: id }),
    );
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ clientId: id, status: "online", versionNumber: 4 });
  });

  it("404 when never seen", async () => {
    const r = await getClient(
      new Request(`${BASE}/api/clients/nobody`),
      params({ clientId: "nobody" }),
    );
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: "No client 'nobody' has been seen." } },
    });
  });
});

describe("GET /api/clients/{clientId}/connections", () => {
  it("lists connections oldest first with durations and inferred ends", async () => {
    await post([
      envelope(connected("dev", NOW - 30 * MIN, 1)),
      // v1's disconnect never arrives; v2 starts 10 minutes later.
      envelope(connected("dev", NOW - 20 * MIN, 2)),
      envelope(
        disconnected("dev", NOW - 15 * MIN, 2, {
          clientInitiatedDisconnect: true,
          disconnectReason: "CLIENT_INITIATED_DISCONNECT",
        }),
      ),
      envelope(connected("dev", NOW - 10 * MIN, 3)),
    ]);
    const r = await getConnections(
      new Request(`${BASE}/api/clients/dev/connections`),
      params({ clientId: "dev" }),
    );
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.items).toEqual([
      expect.objectContaining({
        versionNumber: 1,
        endInferred: true,
        disconnectedAt: new Date(NOW - 20 * MIN).toISOString(),
        durationSeconds: 600,
      }),
      expect.objectContaining({
        versionNumber: 2,
        endInferred: false,
        durationSeconds: 300,
        clientInitiatedDisconnect: true,
        disconnectReason: "CLIENT_INITIATED_DISCONNECT",
      }),
      expect.objectContaining({
        versionNumber: 3,
        endInferred: false,
        disconnectedAt: null,
        durationSeconds: null,
      }),
    ]);
    expect(Object.keys(body.items[0]).sort()).toEqual(
      // The CSV's columns, and what only the JSON view has.
      [...CSV_COLUMNS, "thingName", "endInferred"].filter((k) => k !== "clientId").sort(),
    );
    const ranged = await getConnections(
      new Request(
        `${BASE}/api/clients/dev/connections?from=${new Date(NOW - 12 * MIN).toISOString()}`,
      ),
      params({ clientId: "dev" }),
    );
    expect(
      (await ranged.json()).items.map((c: { versionNumber: number }) => c.versionNumber),
    ).toEqual([3]);
  });

  it("400 for a range the wrong way round", async () => {
    await post([envelope(connected("dev", NOW, 1))]);
    const r = await getConnections(
      new Request(`${BASE}/api/clients/dev/connections?from=2026-02-01&to=2026-01-01`),
      params({ clientId: "dev" }),
    );
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message: "from must not be after to" } },
    });
  });
});

describe("GET /api/clients/{clientId}/events", () => {
  it("pages the raw events newest first", async () => {
    await post([0, 1, 2, 3, 4].map((v) => envelope(connected("dev", NOW - (10 - v) * MIN, v))));
    const first = await (
      await getEvents(new Request(`${BASE}/x?limit=3`), params({ clientId: "dev" }))
    ).json();
    expect(first.items.map((e: { versionNumber: number }) => e.versionNumber)).toEqual([4, 3, 2]);
    expect(first.items[0].payload).toEqual(connected("dev", NOW - 6 * MIN, 4));
    const second = await (
      await getEvents(
        new Request(`${BASE}/x?limit=3&cursor=${first.nextCursor}`),
        params({ clientId: "dev" }),
      )
    ).json();
    expect(second.items.map((e: { versionNumber: number }) => e.versionNumber)).toEqual([1, 0]);
    expect(second.nextCursor).toBeNull();
  });
});

describe("GET /api/health", () => {
  it("answers ok while the database answers", async () => {
    const r = await health();
    expect({ status: r.status, body: await r.json() }).toEqual({
      status: 200,
      body: { status: "ok" },
    });
  });
});
