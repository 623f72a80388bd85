// Exact error bodies for hostile query parameters and path IDs (issue #5):
// each row was a 500 or an unclear message before the read API validated it.
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";
import { postIngest, timed } from "@/test/support/fuzz-checks";
import { BASE, params, viewerRequest } from "@/test/support/routes";
import { GET as clientCsv } from "./clients/[clientId]/connections.csv/route";
import { GET as connections } from "./clients/[clientId]/connections/route";
import { GET as events } from "./clients/[clientId]/events/route";
import { GET as failures } from "./clients/[clientId]/failures/route";
import { GET as client } from "./clients/[clientId]/route";
import { GET as subscriptions } from "./clients/[clientId]/subscriptions/route";
import { GET as list } from "./clients/route";
import { GET as fleetCsv } from "./export/connections.csv/route";
import { GET as incident } from "./incidents/[id]/route";
import { GET as incidents } from "./incidents/route";
import { GET as online } from "./stats/online/route";
import { GET as reasons } from "./stats/reasons/route";

const ID = "dev/1";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const RANGE = "the supported range 2000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z";
const NOT_A_CURSOR = "cursor: not a cursor returned by this API";

beforeAll(async () => {
  await resetDatabase();
  expect((await postIngest([envelope(connected(ID, Date.now() - 60_000, 1))])).status).toBe(200);
});

type Handler = (
  request: Request,
  context: { params: Promise<{ clientId: string }> },
) => Promise<Response> | Response;

const byPath: Record<string, (query: string, clientId?: string) => Promise<Response> | Response> = {
  "/api/clients": (q) => list(viewerRequest(`${BASE}/api/clients?${q}`)),
  "/api/export/connections.csv": (q) =>
    fleetCsv(viewerRequest(`${BASE}/api/export/connections.csv?${q}`)),
  "/api/stats/online": (q) => online(viewerRequest(`${BASE}/api/stats/online?${q}`)),
  "/api/incidents": (q) => incidents(viewerRequest(`${BASE}/api/incidents?${q}`)),
  "/api/stats/reasons": (q) => reasons(viewerRequest(`${BASE}/api/stats/reasons?${q}`)),
  // Validation comes before the lookup: an unknown incident ID still gets the 400.
  "/api/incidents/{id}": (q) =>
    incident(
      viewerRequest(`${BASE}/api/incidents/x?${q}`),
      params({ id: "00000000-0000-4000-8000-000000000000" }),
    ),
};
const perClient =
  (handler: Handler) =>
  (q: string, clientId = ID) =>
    handler(viewerRequest(`${BASE}/api/clients/x?${q}`), params({ clientId }));
Object.assign(byPath, {
  "/connections": perClient(connections),
  "/connections.csv": perClient(clientCsv),
  "/events": perClient(events),
  "/failures": perClient(failures),
});

describe("read API: exact 400s for hostile query parameters", () => {
  it.each([
    // Search text: PostgreSQL text cannot carry NUL (was a 500, and a broken CSV stream).
    {
      path: "/api/clients",
      query: "q=a%00b",
      message: "q must not contain a NUL character (\\u0000)",
    },
    {
      path: "/api/export/connections.csv",
      query: "q=%00",
      message: "q must not contain a NUL character (\\u0000)",
    },
    {
      path: "/api/clients",
      query: `q=${"x".repeat(129)}`,
      message: "q must be at most 128 characters",
    },
    // Limits are capped, not clamped.
    {
      path: "/api/clients",
      query: "limit=501",
      message: "limit: Too big: expected number to be <=500",
    },
    {
      path: "/api/clients",
      query: "limit=1.5",
      message: "limit: Invalid input: expected int, received number",
    },
    {
      path: "/api/clients",
      query: "limit=1e400",
      message: "limit: Invalid input: expected number, received Infinity",
    },
    {
      path: "/api/clients",
      query: "limit=ten",
      message: "limit: Invalid input: expected number, received NaN",
    },
    {
      path: "/events",
      query: "limit=100000",
      message: "limit: Too big: expected number to be <=500",
    },
    {
      path: "/failures",
      query: "limit=-1",
      message: "limit: Too small: expected number to be >=1",
    },
    // Cursors: forged ones are validated field by field (a NUL, year -271821 and a value that is not the ID were 500s).
    {
      path: "/api/clients",
      query: `sort=clientId&order=asc&cursor=${b64({ sort: "clientId", order: "asc", value: "a\u0000", clientId: "a\u0000" })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/clients",
      query: `sort=clientId&order=asc&cursor=${b64({ sort: "clientId", order: "asc", value: "a", clientId: "b" })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/clients",
      query: `order=desc&cursor=${b64({ sort: "lastChange", order: "desc", value: "-271821-04-20T00:00:00.000Z", clientId: "b" })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/clients",
      query: `order=desc&cursor=${b64({ sort: "lastChange", order: "desc", value: "2026", clientId: "b" })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/clients",
      query: `cursor=${b64({ sort: "lastChange", order: "desc", value: "2026-01-01T00:00:00.000Z", clientId: "x".repeat(129) })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/clients",
      query: `cursor=${"A".repeat(1025)}`,
      message: "cursor: Too big: expected string to have <=1024 characters",
    },
    {
      path: "/events",
      query: "cursor=9223372036854775808",
      message: "cursor must be the nextCursor of an earlier page",
    },
    {
      path: "/events",
      query: "cursor=-1",
      message: "cursor must be the nextCursor of an earlier page",
    },
    // Date ranges: bounded to 2000–9999, the right way round, and the echo of a bad value is short.
    {
      path: "/connections",
      query: "from=1999-12-31T23:59:59.999Z",
      message: `from: '1999-12-31T23:59:59.999Z' is outside ${RANGE}`,
    },
    { path: "/connections", query: "from=0", message: `from: '0' is outside ${RANGE}` },
    {
      path: "/connections",
      query: "to=%2B010000-01-01T00:00:00.000Z",
      message: `to: '+010000-01-01T00:00:00.000Z' is outside ${RANGE}`,
    },
    {
      path: "/connections.csv",
      query: "to=8640000000000000",
      message: `to: '8640000000000000' is outside ${RANGE}`,
    },
    {
      path: "/api/export/connections.csv",
      query: "from=-000001-01-01T00:00:00.000Z",
      message: `from: '-000001-01-01T00:00:00.000Z' is outside ${RANGE}`,
    },
    {
      path: "/connections",
      query: "from=2026-02-01&to=2026-01-01",
      message: "from must not be after to",
    },
    {
      path: "/connections",
      query: `from=${"9".repeat(400)}`,
      message: `from: '${"9".repeat(64)}…' (400 characters) is not an ISO 8601 time or epoch ms`,
    },
    {
      path: "/connections",
      query: `to=${"z".repeat(100)}`,
      message: `to: '${"z".repeat(64)}…' (100 characters) is not an ISO 8601 time or epoch ms`,
    },
    {
      path: "/api/incidents",
      query: "from=2026-02-01&to=2026-01-01",
      message: "from must not be after to",
    },
    { path: "/api/incidents", query: "to=0", message: `to: '0' is outside ${RANGE}` },
    {
      path: "/api/incidents",
      query: "limit=501",
      message: "limit: Too big: expected number to be <=500",
    },
    {
      path: "/api/incidents",
      query: `clientId=${"x".repeat(129)}`,
      message: "clientId must be at most 128 bytes, without NUL",
    },
    {
      path: "/api/incidents/{id}",
      query: `cursor=${b64({ after: "a\u0000" })}`,
      message: NOT_A_CURSOR,
    },
    {
      path: "/api/incidents/{id}",
      query: "limit=1.5",
      message: "limit: Invalid input: expected int, received number",
    },
    {
      path: "/api/stats/reasons",
      query: "range=30d",
      message: 'range: Invalid option: expected one of "24h"|"7d"',
    },
    {
      path: "/api/stats/online",
      query: "range=1y",
      message: 'range: Invalid option: expected one of "24h"|"7d"|"30d"',
    },
  ])("$path?$query", async ({ path, query, message }) => {
    const answer = await timed(() => byPath[path]!(query));
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message } },
    });
  });

  it.each([
    { query: "from=2000-01-01T00:00:00.000Z&to=9999-12-31T23:59:59.999Z" },
    { query: "from=946684800000&to=253402300799999" },
    { query: "from=2026-01-01&to=2026-01-01" },
  ])("takes the bounds themselves: $query", async ({ query }) => {
    expect((await timed(() => byPath["/connections"]!(query))).status).toBe(200);
  });
});

describe("read API: client IDs in the path that cannot exist", () => {
  const NUL = {
    code: "invalid_query",
    message:
      "The request holds a NUL character (\\u0000), which no client ID or stored text can contain.",
  };
  it.each([
    { name: "client", handler: client },
    { name: "connections", handler: connections },
    { name: "connections.csv", handler: clientCsv },
    { name: "events", handler: events },
    { name: "failures", handler: failures },
    { name: "subscriptions", handler: subscriptions },
  ])(
    "$name: a NUL is a 400 (was a 500); an unknown or oversized ID is a 404",
    async ({ handler }) => {
      const get = (clientId: string) =>
        timed(() =>
          (handler as Handler)(viewerRequest(`${BASE}/api/clients/x`), params({ clientId })),
        );
      const nul = await get("dev\u0000");
      expect({ status: nul.status, body: nul.body }).toEqual({ status: 400, body: { error: NUL } });
      for (const clientId of ["\ud800", "x".repeat(5_000), "dev/2"]) {
        const answer = await get(clientId);
        expect(answer.status, answer.text).toBe(404);
        expect((answer.body as { error: { code: string } }).error.code).toBe("not_found");
      }
    },
  );
});
