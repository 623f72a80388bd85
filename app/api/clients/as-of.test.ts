// The fleet at a past moment through the HTTP routes, against real
// PostgreSQL: exact statuses, fields and counts at chosen instants of a small
// fleet whose histories cover each rule (a disconnect, a lost disconnect ended
// by the next connection, a version reset, a first event that is a refused
// attempt, a disconnect whose connect never arrived, an inventory entry).
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { labelClients } from "@/test/support/labels";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest } from "@/test/support/routes";
import { POST as ingest } from "../ingest/route";
import { GET as summary } from "../stats/summary/route";
import { GET as listClients } from "./route";

const MIN = 60_000;
/** Every history starts at B, well in the past. */
const B = Math.floor((Date.now() - 4 * 3_600_000) / MIN) * MIN;
const at = (minutes: number) => new Date(B + minutes * MIN).toISOString();

async function read(handler: (r: Request) => Promise<Response>, path: string) {
  const r = await handler(new Request(`${BASE}${path}`));
  return { status: r.status, body: await r.json() };
}

type Item = { clientId: string; status: string } & Record<string, unknown>;
const statuses = (items: Item[]) => Object.fromEntries(items.map((c) => [c.clientId, c.status]));

beforeAll(async () => {
  await resetDatabase();
  const events = [
    // steady: online from B on.
    connected("steady", B, 1),
    // dropped: online 10–40, offline until 60, online again.
    connected("dropped", B + 10 * MIN, 1),
    disconnected("dropped", B + 40 * MIN, 1, { disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" }),
    connected("dropped", B + 60 * MIN, 2, { ipAddress: "192.0.2.99" }),
    // lost: version 1's disconnect never arrived; it ended when version 2 began (30).
    connected("lost", B, 1),
    connected("lost", B + 30 * MIN, 2),
    disconnected("lost", B + 45 * MIN, 2),
    // reset: version 5 for 5 minutes, then after more than an hour offline version 0.
    connected("reset", B, 5),
    disconnected("reset", B + 5 * MIN, 5),
    connected("reset", B + 80 * MIN, 0),
    // late: its first event is a refused attempt at 70.
    {
      clientId: "late",
      timestamp: B + 70 * MIN,
      eventType: "connect_failed" as const,
      principalIdentifier: "p",
      connectFailureReason: "AUTHORIZATION_FAILED",
    },
    // headless: a disconnect at 20 whose connect never arrived.
    disconnected("headless", B + 20 * MIN, 1),
  ];
  // Delivered newest first: arrival order must not matter.
  const r = await ingest(ingestRequest(events.reverse().map(envelope)));
  expect(r.status).toBe(200);
  expect((await r.json()).rejected).toEqual([]);
  await labelClients({
    inventory: { site: "berlin" },
    steady: { site: "berlin" },
    dropped: { site: "berlin" },
    lost: { site: "paris" },
  });
});

// minute → status of every client then, in the order of CLIENTS.
const CLIENTS = ["dropped", "headless", "inventory", "late", "lost", "reset", "steady"];
const [on, off, never] = ["online", "offline", "never_seen"];
const TABLE: Array<[number, Record<string, string>]> = (
  [
    [-1, [never, never, never, never, never, never, never]],
    [0, [never, never, never, never, on, on, on]],
    [20, [on, off, never, never, on, off, on]],
    [40, [off, off, never, never, on, off, on]],
    [50, [off, off, never, never, off, off, on]],
    [90, [on, off, never, off, off, on, on]],
  ] as const
).map(([minute, row]) => [minute, Object.fromEntries(CLIENTS.map((c, i) => [c, row[i]!]))]);

describe("GET /api/clients?asOf= and /api/stats/summary?asOf=", () => {
  it.each(TABLE)("at B%+d min lists each client as it stood then", async (minute, expected) => {
    const list = await read(listClients, `/api/clients?asOf=${at(minute)}`);
    expect(list.status).toBe(200);
    expect(list.body.asOf).toBe(at(minute));
    expect(statuses(list.body.items)).toEqual(expected);
    const values = Object.values(expected);
    const count = (s: string) => values.filter((v) => v === s).length;
    const counts = {
      online: count("online"),
      pending: 0,
      offline: count("offline"),
      total: count("online") + count("offline"),
      flapping: 0,
      neverSeen: count("never_seen"),
    };
    expect(list.body.counts).toEqual(counts);
    expect(await read(summary, `/api/stats/summary?asOf=${at(minute)}`)).toEqual({
      status: 200,
      body: counts,
    });
  });

  it("describes each client by its connection at that moment", async () => {
    const { body } = await read(listClients, `/api/clients?asOf=${at(50)}&q=dropped`);
    expect(body.items).toEqual([
      expect.objectContaining({
        clientId: "dropped",
        status: "offline",
        since: at(40),
        lastConnectedAt: at(10),
        lastDisconnectedAt: at(40),
        disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
        versionNumber: 1,
        ipAddress: "192.0.2.10",
        lastEventAt: at(40),
        pendingUntil: null,
        labels: { site: "berlin" },
      }),
    ]);
    const later = (await read(listClients, `/api/clients?asOf=${at(90)}&q=dropped`)).body;
    expect(later.items[0]).toMatchObject({
      status: "online",
      since: at(60),
      lastConnectedAt: at(60),
      disconnectReason: null,
      versionNumber: 2,
      ipAddress: "192.0.2.99",
    });
  });

  it("filters by status, label and search as the live list does", async () => {
    const ids = async (query: string) =>
      (await read(listClients, `/api/clients?asOf=${at(20)}&${query}`)).body.items.map(
        (c: Item) => c.clientId,
      );
    expect(await ids("status=online")).toEqual(["dropped", "lost", "steady"]);
    expect(await ids("status=offline")).toEqual(["headless", "reset"]);
    expect(await ids("status=never_seen")).toEqual(["inventory", "late"]);
    expect(await ids("status=pending")).toEqual([]);
    expect(await ids("label=site:berlin")).toEqual(["dropped", "inventory", "steady"]);
    expect(await ids("label=site:berlin&status=online&order=desc")).toEqual(["steady", "dropped"]);
    const berlin = await read(summary, `/api/stats/summary?asOf=${at(20)}&label=site:berlin`);
    expect(berlin.body).toEqual({
      online: 2,
      pending: 0,
      offline: 0,
      total: 2,
      flapping: 0,
      neverSeen: 1,
    });
  });

  it("pages with cursors, never repeating or skipping a client", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/clients?asOf=${at(20)}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await read(listClients, path);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: Item) => c.clientId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(["dropped", "headless", "inventory", "late", "lost", "reset", "steady"]);
  });

  it("answers 400 naming the parameter for a bad asOf or a sort it cannot do", async () => {
    const bad = await read(listClients, "/api/clients?asOf=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_query");
    expect(bad.body.error.message).toMatch(/^asOf: /);
    const sorted = await read(listClients, `/api/clients?asOf=${at(20)}&sort=lastChange`);
    expect(sorted.status).toBe(400);
    expect(sorted.body.error.message).toMatch(/^sort: with asOf/);
    const summaryBad = await read(summary, "/api/stats/summary?asOf=1999-01-01T00:00:00Z");
    expect(summaryBad.status).toBe(400);
    expect(summaryBad.body.error.message).toMatch(/^asOf: /);
  });
});
