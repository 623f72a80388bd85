// GET /api/incidents and /api/incidents/{id} against real PostgreSQL: a mass
// disconnect ingested through the API, detected by the job, read back.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { runIncidentDetection } from "@/lib/incidents/job";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope } from "@/test/support/events";
import { BASE, ingestRequest, params } from "@/test/support/routes";
import { POST as ingest } from "../ingest/route";
import { GET as getIncident } from "./[id]/route";
import { GET as listIncidents } from "./route";

const SECOND = 1_000;
const MIN = 60 * SECOND;
const T0 = Date.now() - 60 * MIN;
const DROP = T0 + 30 * MIN;
const dev = (i: number) => `dev-${String(i).padStart(2, "0")}`;
const iso = (t: number) => new Date(t).toISOString();

async function get(path: string, id?: string) {
  const request = new Request(`${BASE}${path}`);
  const r =
    id === undefined ? await listIncidents(request) : await getIncident(request, params({ id }));
  return { status: r.status, body: await r.json() };
}

let incidentId = "";

beforeAll(async () => {
  await resetDatabase();
  // 30 devices online; 24 drop within 2.4 s, from two networks; 20 come back (i seconds later).
  const items = [];
  for (let i = 0; i < 30; i += 1) {
    const ip = i % 3 === 0 ? `198.51.100.${i}` : `192.0.2.${i}`;
    items.push(envelope(connected(dev(i), T0, 1, { ipAddress: ip })));
    if (i >= 24) continue;
    items.push(
      envelope(
        disconnected(dev(i), DROP + i * 100, 1, {
          disconnectReason: i < 18 ? "CONNECTION_LOST" : "SERVER_INITIATED_DISCONNECT",
        }),
      ),
    );
    if (i < 20) items.push(envelope(connected(dev(i), DROP + i * 100 + (i + 1) * SECOND, 2)));
  }
  expect((await ingest(ingestRequest(items))).status).toBe(200);
  await runIncidentDetection(db().pool);
  const { body } = await get(`/api/incidents`);
  incidentId = body.items[0].id;
});

describe("GET /api/incidents", () => {
  it("lists the incident with its counts and reasons; labels are empty until labels exist", async () => {
    const { status, body } = await get(`/api/incidents`);
    expect(status).toBe(200);
    expect(body).toEqual({
      items: [
        {
          id: incidentId,
          startedAt: iso(DROP),
          // The 13th of 24 back (more than half): dev-12, dropped at +1.2 s, back 13 s later.
          endedAt: iso(DROP + 1_200 + 13 * SECOND),
          affectedClients: 24,
          reasons: { CONNECTION_LOST: 18, SERVER_INITIATED_DISCONNECT: 6 },
          reconnectedClients: 20,
          labels: {},
        },
      ],
    });
  });

  it("filters by range and by client", async () => {
    const before = await get(`/api/incidents?from=${iso(T0)}&to=${iso(DROP - 1)}`);
    expect(before.body).toEqual({ items: [] });
    const during = await get(
      `/api/incidents?from=${iso(DROP + 5 * SECOND)}&to=${iso(DROP + 6 * SECOND)}`,
    );
    expect(during.body.items).toHaveLength(1);
    expect((await get(`/api/incidents?clientId=${dev(3)}`)).body.items).toHaveLength(1);
    expect((await get(`/api/incidents?clientId=${dev(27)}`)).body).toEqual({ items: [] });
  });

  it.each([
    ["from=yesterday", "from: 'yesterday' is not an ISO 8601 time or epoch ms"],
    [`from=${iso(DROP)}&to=${iso(T0)}`, "from must not be after to"],
    ["limit=501", "limit: Too big: expected number to be <=500"],
    ["limit=0", "limit: Too small: expected number to be >=1"],
    ["clientId=a%00b", "clientId must be at most 128 bytes, without NUL"],
  ])("400 for %s", async (query, message) => {
    expect(await get(`/api/incidents?${query}`)).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message } },
    });
  });
});

describe("GET /api/incidents/{id}", () => {
  it("pages the clients and says what they share and how fast they came back", async () => {
    const first = await get(`/api/incidents/${incidentId}?limit=10`, incidentId);
    expect(first.status).toBe(200);
    expect(first.body.clients).toEqual([...Array(10).keys()].map(dev));
    expect(first.body.affectedClients).toBe(24);
    expect(first.body.clientDetails[2]).toEqual({
      clientId: dev(2),
      disconnectedAt: iso(DROP + 200),
      disconnectReason: "CONNECTION_LOST",
      principalIdentifier: `principal-${dev(2)}`,
      ipAddress: "192.0.2.2",
      reconnectedAt: iso(DROP + 200 + 3 * SECOND),
      recoverySeconds: 3,
    });
    expect(first.body.networks).toEqual([
      { network: "192.0.2.0/24", clients: 16 },
      { network: "198.51.100.0/24", clients: 8 },
    ]);
    expect(first.body.principals).toHaveLength(10);
    // Recovery of the 20 that came back: 1..20 s.
    expect(first.body.recovery).toEqual({
      reconnectedClients: 20,
      medianSeconds: 10.5,
      p90Seconds: 18.1,
      maxSeconds: 20,
    });
    const second = await get(
      `/api/incidents/x?limit=10&cursor=${first.body.nextCursor}`,
      incidentId,
    );
    expect(second.body.clients).toEqual([...Array(10).keys()].map((i) => dev(i + 10)));
    const third = await get(
      `/api/incidents/x?limit=10&cursor=${second.body.nextCursor}`,
      incidentId,
    );
    expect(third.body.clients).toEqual([20, 21, 22, 23].map(dev));
    expect(third.body.nextCursor).toBeNull();
  });

  it.each([
    ["not-a-uuid", "", 404, "not_found", "No incident with ID 'not-a-uuid'."],
    [
      "00000000-0000-4000-8000-000000000000",
      "",
      404,
      "not_found",
      "No incident with ID '00000000-0000-4000-8000-000000000000'.",
    ],
    ["@id", "cursor=bm9wZQ", 400, "invalid_query", "cursor: not a cursor returned by this API"],
    ["@id", "limit=1001", 400, "invalid_query", "limit: Too big: expected number to be <=1000"],
  ])("%s?%s: %i %s", async (id, query, status, code, message) => {
    const target = id === "@id" ? incidentId : id;
    expect(await get(`/api/incidents/x?${query}`, target)).toEqual({
      status,
      body: { error: { code, message } },
    });
  });
});
