// Property-based fuzzing of every query parameter of the read API (issue #5,
// "Hostile input"): whatever the query, the answer is a 2xx or a 4xx with the
// exact error contract, never a 500, and it comes back within a bound.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "@/lib/clients/cursor";
import { resetDatabase } from "@/lib/testing/db";
import { connected, disconnected, envelope, subscribed } from "@/lib/testing/events";
import { clientIdArb, hostileString, storableString } from "@/lib/testing/fuzz-arbitraries";
import { expectErrorContract, postIngest, timed, type Answer } from "@/lib/testing/fuzz-checks";
import { BASE, params } from "@/lib/testing/routes";
import { GET as clientCsv } from "./clients/[clientId]/connections.csv/route";
import { GET as connections } from "./clients/[clientId]/connections/route";
import { GET as events } from "./clients/[clientId]/events/route";
import { GET as failures } from "./clients/[clientId]/failures/route";
import { GET as client } from "./clients/[clientId]/route";
import { GET as subscriptions } from "./clients/[clientId]/subscriptions/route";
import { GET as list } from "./clients/route";
import { GET as fleetCsv } from "./export/connections.csv/route";
import { GET as health } from "./health/route";
import { GET as online } from "./stats/online/route";
import { GET as summary } from "./stats/summary/route";

const CSV_HEADER =
  "clientId,sessionIdentifier,versionNumber,connectedAt,disconnectedAt,durationSeconds,disconnectReason,clientInitiatedDisconnect,principalIdentifier,ipAddress";
const NOW = Date.now();
const MIN = 60_000;

/** Seeded clients: the awkward IDs of the issue, each with connections, subscriptions and a refusal. */
const SEEDED = [
  "plant 7/line-2/ünit",
  'quote"comma,dev',
  "100%",
  "100%41",
  "a%2Fb",
  "under_score\\back",
  "q?x&y=z;",
  "e\u0301 \u202ertl\u200f",
  "😀/👩‍👩‍👧",
  "=cmd|' /C calc'!A0",
  "/",
];

interface Endpoint {
  name: string;
  params: readonly string[];
  /** Whether {clientId} is in the path (404 is then a fitting answer). */
  perClient: boolean;
  csv: boolean;
  call(query: string, clientId: string): Promise<Response> | Response;
}

const at = (path: string, query: string) => new Request(`${BASE}${path}?${query}`);
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
    name: "GET /api/stats/summary",
    params: [],
    perClient: false,
    csv: false,
    call: () => summary(),
  },
  { name: "GET /api/health", params: [], perClient: false, csv: false, call: () => health() },
];

let validCursors: string[] = [];
let eventCursor = "";

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
  for (const sort of ["clientId", "lastChange"]) {
    for (const order of ["asc", "desc"]) {
      const page = await timed(() =>
        list(at("/api/clients", `sort=${sort}&order=${order}&limit=2`)),
      );
      validCursors.push((page.body as { nextCursor: string }).nextCursor);
    }
  }
  const page = await timed(() => events(at("/x", "limit=1"), params({ clientId: SEEDED[0]! })));
  eventCursor = (page.body as { nextCursor: string }).nextCursor;
  validCursors = validCursors.filter((c) => typeof c === "string");
  expect(validCursors).toHaveLength(4);
});

const b64 = (s: string) => Buffer.from(s).toString("base64url");

/** Cursors a caller could forge: other fields, other types, tampered bytes, other encodings. */
const forgedCursorArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      {
        sort: fc.oneof(fc.constantFrom("clientId", "lastChange"), hostileString(8)),
        order: fc.oneof(fc.constantFrom("asc", "desc"), hostileString(4)),
        value: fc.oneof(
          hostileString(20),
          fc.constantFrom(...SEEDED),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constantFrom(
            "-271821-04-20T00:00:00.000Z",
            "+275760-09-13T00:00:00.000Z",
            "0000-01-01T00:00:00.000Z",
            "2026-02-30T00:00:00.000Z",
            "2026",
          ),
        ),
        clientId: fc.oneof(
          hostileString(20),
          fc.constantFrom(...SEEDED),
          fc.constant("x".repeat(600)),
        ),
      },
      { requiredKeys: [] },
    )
    .map((c) => b64(JSON.stringify(c))),
  fc.jsonValue({ maxDepth: 3 }).map((v) => b64(JSON.stringify(v))),
  fc
    .tuple(
      fc.constantFrom(0, 1, 2, 3),
      fc.nat(),
      fc.constantFrom("A", "_", "-", "=", "+", "/", "%", "\u0000"),
    )
    .map(([i, n, c]) => {
      const cursor = validCursors[i] ?? "";
      const k = n % Math.max(cursor.length, 1);
      return cursor.slice(0, k) + c + cursor.slice(k + 1);
    }),
  fc
    .tuple(fc.constantFrom(0, 1, 2, 3), fc.nat())
    .map(([i, n]) => (validCursors[i] ?? "").slice(0, n % 80)),
  fc
    .constantFrom(0, 1, 2, 3)
    .map((i) => Buffer.from(Buffer.from(validCursors[i] ?? "", "base64url")).toString("base64")),
  fc.string({ unit: fc.constantFrom(..."ABCxyz019-_=+/"), maxLength: 1100 }),
);

/** Values for any parameter: hostile text, numbers, dates, huge values, forged cursors. */
const paramValueArb: fc.Arbitrary<string> = fc.oneof(
  hostileString(40),
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "1",
    "50",
    "500",
    "501",
    "1e2",
    "1e400",
    "NaN",
    "Infinity",
    "-0",
    "0x10",
    "1.5",
    " 5",
    "９",
    "null",
    "[]",
    "%00",
    "\u0000",
    "online",
    "pending",
    "offline",
    "clientId",
    "lastChange",
    "asc",
    "desc",
    "24h",
    "7d",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "2026-01-01",
    "2026-13-45",
    "1999-12-31T23:59:59.999Z",
    "2000-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "+010000-01-01T00:00:00.000Z",
    "-000001-01-01T00:00:00.000Z",
    "+275760-09-13T00:00:00.000Z",
    "8640000000000000",
    "8640000000000001",
    "Tue, 01 Jan 2030 00:00:00 GMT",
    "2030-01-01T00:00:00+14:00",
    "2026-06-01T12:00:00",
  ),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => String(d.getTime())),
  fc
    .tuple(
      fc.constantFrom("a", "é", "%", "😀", "0", "\u202e"),
      fc.integer({ min: 1_000, max: 8_000 }),
    )
    .map(([u, n]) => u.repeat(n)),
  forgedCursorArb,
);

const instantTextArb = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => String(d.getTime())),
  fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
  fc.integer({ min: -1e6, max: 1e6 }).map((y) => `${y}-01-01`),
);

/** Values aimed at one parameter, so that its rare corners come up often. */
const AIMED: Record<string, fc.Arbitrary<string>> = {
  cursor: fc.oneof(
    forgedCursorArb,
    // A real events cursor, as is or off by a digit (read when the property runs, after seeding).
    fc.nat(9).map((d) => (d === 0 ? eventCursor : `${eventCursor}${d}`)),
    fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }).map(String),
    fc.constantFrom(
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551615",
      "0",
      "00000000000000000001",
    ),
  ),
  limit: fc.oneof(fc.integer({ min: -10, max: 1_000 }).map(String), fc.double().map(String)),
  from: instantTextArb,
  to: instantTextArb,
  q: fc.oneof(hostileString(20), fc.constantFrom("%", "_", "\\", "%_\\", "\u0000")),
};

function valueFor(name: string): fc.Arbitrary<string> {
  const aimed = AIMED[name];
  return aimed === undefined ? paramValueArb : fc.oneof(paramValueArb, aimed, aimed);
}

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

describe("read API: any query", () => {
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
                  .chain((n) => valueFor(n).map((v): [string, string] => [n, v])),
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
            paramValueArb,
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
      { numRuns: 600 },
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
      { numRuns: 150 },
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
      { numRuns: 16 },
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
      { numRuns: 100 },
    );
  });
});

describe("read API: cursors", () => {
  const NOT_OURS = { code: "invalid_query", message: "cursor: not a cursor returned by this API" };
  const dangerousText = fc.oneof(
    hostileString(20),
    fc.constantFrom(...SEEDED, "", "\u0000", "a\u0000", "x".repeat(129), "é".repeat(65)),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      "-271821-04-20T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
      "1969-12-31T23:59:59.999Z",
      "2026-02-30T00:00:00.000Z",
      "2026-11-26T10:00:00Z",
      "2026",
    ),
  );

  it("validates forged list cursors field by field: a page or 'not a cursor', never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("clientId", "lastChange"),
        fc.constantFrom("asc", "desc"),
        dangerousText,
        dangerousText,
        async (sort, order, value, clientId) => {
          const cursor = encodeCursor({ sort, order, value, clientId } as Parameters<
            typeof encodeCursor
          >[0]);
          const answer = await timed(() =>
            list(at("/api/clients", new URLSearchParams({ sort, order, cursor }).toString())),
          );
          if (answer.status === 200) return;
          expect(expectErrorContract(answer)).toEqual(NOT_OURS);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("takes any 19-digit events cursor up to the largest bigint, and refuses the rest by name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.stringMatching(/^[0-9]{1,20}$/), fc.stringMatching(/^9[0-9]{18}$/)),
        async (cursor) => {
          const answer = await timed(() =>
            events(at("/x", `cursor=${cursor}`), params({ clientId: SEEDED[0]! })),
          );
          if (cursor.length <= 19 && BigInt(cursor) <= 2n ** 63n - 1n) {
            expect(answer.status, answer.text).toBe(200);
          } else {
            expect(expectErrorContract(answer)).toEqual({
              code: "invalid_query",
              message: "cursor must be the nextCursor of an earlier page",
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
