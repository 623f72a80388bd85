// Property-based fuzzing of every query parameter of the read API (issue #5,
// "Hostile input"): whatever the query, the answer is a 2xx or a 4xx with the
// exact error contract, never a 500, and it comes back within a bound.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope, subscribed } from "@/test/support/events";
import { clientIdArb, hostileString, storableString } from "@/test/support/fuzz-arbitraries";
import { expectErrorContract, postIngest, timed, type Answer } from "@/test/support/fuzz-checks";
import { AWKWARD_CLIENT_IDS, paramValueArb, queryValueArb } from "@/test/support/query-arbitraries";
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
import { db } from "@/lib/db/client";
import { runIncidentDetection } from "@/lib/incidents/job";
import { GET as health } from "./health/route";
import { GET as online } from "./stats/online/route";
import { GET as reasons } from "./stats/reasons/route";
import { GET as summary } from "./stats/summary/route";
import { runs } from "@/test/support/runs";

const CSV_HEADER =
  "clientId,sessionIdentifier,versionNumber,connectedAt,disconnectedAt,durationSeconds,disconnectReason,clientInitiatedDisconnect,principalIdentifier,ipAddress";
const NOW = Date.now();
const MIN = 60_000;
/**
 * Each property's time limit. The bound under test is each request's
 * (REQUEST_BUDGET_MS); hundreds of them in a row on a loaded 2-core CI
 * machine once took over vitest's 30 s default (CI, 2026-12-07: the 600-run
 * property timed out while no request broke its budget).
 */
const PROPERTIES = { timeout: 180_000 };

/** Seeded clients: the awkward IDs of the issue, each with connections, subscriptions and a refusal. */
const SEEDED = AWKWARD_CLIENT_IDS;

interface Endpoint {
  name: string;
  params: readonly string[];
  /** Whether {clientId} is in the path (404 is then a fitting answer). */
  perClient: boolean;
  csv: boolean;
  call(query: string, clientId: string): Promise<Response> | Response;
}

const at = (path: string, query: string) => viewerRequest(`${BASE}${path}?${query}`);
const perClient = (handler: typeof client, suffix: string) => (query: string, clientId: string) =>
  handler(at(`/api/clients/x${suffix}`, query), params({ clientId }));

const ENDPOINTS: Endpoint[] = [
  {
    name: "GET /api/clients",
    params: ["status", "q", "sort", "order", "limit", "cursor"],
    perClient: false,
    csv: false,
    call: (q) => list(at("/api/clients", q)),
  },
  {
    name: "GET /api/clients/{id}",
    params: [],
    perClient: true,
    csv: false,
    call: perClient(client, ""),
  },
  {
    name: "GET /api/clients/{id}/connections",
    params: ["from", "to"],
    perClient: true,
    csv: false,
    call: perClient(connections, "/connections"),
  },
  {
    name: "GET /api/clients/{id}/connections.csv",
    params: ["from", "to"],
    perClient: true,
    csv: true,
    call: perClient(clientCsv, "/connections.csv"),
  },
  {
    name: "GET /api/clients/{id}/events",
    params: ["limit", "cursor"],
    perClient: true,
    csv: false,
    call: perClient(events, "/events"),
  },
  {
    name: "GET /api/clients/{id}/failures",
    params: ["limit"],
    perClient: true,
    csv: false,
    call: perClient(failures, "/failures"),
  },
  {
    name: "GET /api/clients/{id}/subscriptions",
    params: [],
    perClient: true,
    csv: false,
    call: perClient(subscriptions, "/subscriptions"),
  },
  {
    name: "GET /api/export/connections.csv",
    params: ["from", "to", "q", "status"],
    perClient: false,
    csv: true,
    call: (q) => fleetCsv(at("/api/export/connections.csv", q)),
  },
  {
    name: "GET /api/stats/online",
    params: ["range"],
    perClient: false,
    csv: false,
    call: (q) => online(at("/api/stats/online", q)),
  },
  {
    name: "GET /api/stats/reasons",
    params: ["range"],
    perClient: false,
    csv: false,
    call: (q) => reasons(at("/api/stats/reasons", q)),
  },
  {
    name: "GET /api/stats/summary",
    params: [],
    perClient: false,
    csv: false,
    call: (q) => summary(at("/api/stats/summary", q)),
  },
  { name: "GET /api/health", params: [], perClient: false, csv: false, call: () => health() },
  {
    name: "GET /api/incidents",
    params: ["from", "to", "clientId", "limit"],
    perClient: false,
    csv: false,
    call: (q) => incidents(at("/api/incidents", q)),
  },
  {
    name: "GET /api/incidents/{id}",
    params: ["limit", "cursor"],
    // An unknown ID is a 404, as for clients.
    perClient: true,
    csv: false,
    // A seeded client ID stands for the seeded incident; any other path ID is taken as given.
    call: (q, id) =>
      incident(
        at("/api/incidents/x", q),
        params({ id: (SEEDED as readonly string[]).includes(id) ? incidentId : id }),
      ),
  },
];

let incidentId = "";

let validCursors: string[] = [];
let eventCursor = "";
const REAL = { list: () => validCursors, events: () => eventCursor };

beforeAll(async () => {
  await resetDatabase();
  const items = SEEDED.flatMap((id, i) => [
    envelope(connected(id, NOW - 60 * MIN + i, 1)),
    envelope(disconnected(id, NOW - 50 * MIN + i, 1, { disconnectReason: "=HYPERLINK(1)" })),
    envelope(connected(id, NOW - 40 * MIN + i, 2, { ipAddress: "@evil" })),
    envelope(subscribed(id, NOW - 39 * MIN + i, ["cmd/+", 'a,b"c', "ü/😀"])),
    envelope({
      clientId: id,
      timestamp: NOW - 30 * MIN,
      eventType: "connect_failed",
      connectFailureReason: "AUTHORIZATION_FAILED",
    }),
  ]);
  expect((await postIngest(items)).body).toMatchObject({ accepted: items.length, rejected: [] });
  // The seeded clients all drop within a second: one incident (thresholds lowered to the seed's size).
  await runIncidentDetection(db().pool, {
    config: { windowMs: 60_000, minClients: 2, minShare: 0.05, maxOpenMs: 3_600_000 },
  });
  const seeded = await timed(() => incidents(at("/api/incidents", "")));
  incidentId = (seeded.body as { items: { id: string }[] }).items[0]!.id;
  for (const sort of ["clientId", "lastChange"]) {
    for (const order of ["asc", "desc"]) {
      const page = await timed(() =>
        list(at("/api/clients", `sort=${sort}&order=${order}&limit=2`)),
      );
      validCursors.push((page.body as { nextCursor: string }).nextCursor);
    }
  }
  const page = await timed(() => events(at("/x", "limit=1"), params({ clientId: SEEDED[0] })));
  eventCursor = (page.body as { nextCursor: string }).nextCursor;
  validCursors = validCursors.filter((c) => typeof c === "string");
  expect(validCursors).toHaveLength(4);
});

/** The query string as URLSearchParams writes it, or raw (the URL parser gets to fix it up). */
function queryOf(pairs: [string, string][], raw: boolean): string {
  return raw ? pairs.map(([k, v]) => `${k}=${v}`).join("&") : new URLSearchParams(pairs).toString();
}

const pathIdArb = fc.oneof(
  fc.constantFrom(...SEEDED),
  clientIdArb,
  hostileString(30),
  fc.constantFrom("\u0000", "a\u0000", "\ud800", "", " ", "x".repeat(5_000), "%2F", "..", "."),
);

/** The answer fits the contract: a 2xx of the right kind, or a 4xx with exactly {error: {code, message}}. */
function expectContract(endpoint: Endpoint, answer: Answer & { response: Response }) {
  if (answer.status >= 400) {
    const allowed = endpoint.perClient ? [400, 404] : [400];
    expect(allowed, `${endpoint.name} → ${answer.status} ${answer.text}`).toContain(answer.status);
    expectErrorContract(answer);
    return;
  }
  expect(answer.status, answer.text).toBe(200);
  if (endpoint.csv) {
    expect(answer.response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.text.split("\r\n")[0]).toBe(CSV_HEADER);
  } else {
    expect(answer.body, answer.text).toBeTypeOf("object");
  }
}

describe("read API: any query", PROPERTIES, () => {
  it("answers every endpoint with a 2xx or the exact 4xx contract, never a 500, within the time bound", async () => {
    const requestArb = fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
      fc.record({
        endpoint: fc.constant(endpoint),
        pairs:
          endpoint.params.length === 0
            ? fc.constant<[string, string][]>([])
            : fc.array(
                fc
                  .constantFrom(...endpoint.params)
                  .chain((n) => queryValueArb(n, REAL).map((v): [string, string] => [n, v])),
                { maxLength: 4 },
              ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        requestArb,
        // Unknown parameters, prototype names, and known ones given twice.
        fc.array(
          fc.tuple(
            fc.oneof(
              hostileString(6),
              fc.constantFrom(
                "__proto__",
                "constructor",
                "toString",
                "limit",
                "q",
                "cursor",
                "from",
              ),
            ),
            paramValueArb(REAL),
          ),
          { maxLength: 2 },
        ),
        pathIdArb,
        fc.boolean(),
        async ({ endpoint, pairs }, extra, clientId, raw) => {
          let request: string;
          try {
            request = queryOf([...pairs, ...extra], raw);
            new URL(`${BASE}/x?${request}`);
          } catch {
            return; // Not a URL a client could send.
          }
          expectContract(endpoint, await timed(() => endpoint.call(request, clientId)));
        },
      ),
      { numRuns: runs(600) },
    );
  });

  it("answers 200 to every valid query (validation is not over-strict)", async () => {
    const instant = fc.integer({
      min: Date.UTC(2000, 0, 1),
      max: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    });
    const valid: Record<string, fc.Arbitrary<string>> = {
      status: fc.constantFrom("online", "pending", "offline"),
      q: storableString(20).filter((q) => q.length <= 128),
      sort: fc.constantFrom("clientId", "lastChange"),
      order: fc.constantFrom("asc", "desc"),
      limit: fc.integer({ min: 1, max: 500 }).map(String),
      range: fc.constantFrom("24h", "7d"),
      clientId: fc.constantFrom(...SEEDED),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.constantFrom(...SEEDED),
        fc.tuple(instant, instant).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
        fc.boolean(),
        fc.record(valid),
        async (endpoint, clientId, [from, to], iso, values) => {
          const pairs: [string, string][] = endpoint.params
            .filter((p) => p !== "cursor")
            .map((p) => {
              if (p === "from") return [p, iso ? new Date(from).toISOString() : String(from)];
              if (p === "to") return [p, iso ? new Date(to).toISOString() : String(to)];
              return [p, values[p]!];
            });
          const answer = await timed(() =>
            endpoint.call(new URLSearchParams(pairs).toString(), clientId),
          );
          expect(
            answer.status,
            `${endpoint.name}?${new URLSearchParams(pairs)} → ${answer.text}`,
          ).toBe(200);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("pages through awkward client IDs without repeats or gaps, in every sort and order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("clientId", "lastChange"),
        fc.constantFrom("asc", "desc"),
        fc.integer({ min: 1, max: 4 }),
        async (sort, order, limit) => {
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const query = new URLSearchParams({
              sort,
              order,
              limit: String(limit),
              ...(cursor ? { cursor } : {}),
            });
            const page = await timed(() => list(at("/api/clients", query.toString())));
            const body = page.body as { items: { clientId: string }[]; nextCursor: string | null };
            seen.push(...body.items.map((c) => c.clientId));
            cursor = body.nextCursor;
          } while (cursor !== null);
          expect(seen.slice().sort()).toEqual(SEEDED.slice().sort());
        },
      ),
      { numRuns: runs(16) },
    );
  });

  it("finds every awkward client ID by any substring of it (LIKE wildcards and escapes are literal)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDED), fc.nat(), fc.nat(), async (id, a, b) => {
        const units = [...id];
        const start = a % units.length;
        const q = units.slice(start, start + 1 + (b % (units.length - start))).join("");
        const page = await timed(() =>
          list(at("/api/clients", new URLSearchParams({ q, limit: "500" }).toString())),
        );
        const ids = (page.body as { items: { clientId: string }[] }).items.map((c) => c.clientId);
        expect(ids).toContain(id);
        for (const found of ids)
          expect(found.includes(q), `${found} does not contain ${q}`).toBe(true);
      }),
      { numRuns: runs(100) },
    );
  });
});
