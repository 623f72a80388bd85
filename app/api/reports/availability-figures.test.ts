// Exact availability figures through the route handlers against real
// PostgreSQL, table-style: each history is delivered in order in one batch
// and again backwards one event per batch (late and reordered events make
// ingest recompute the days they touch), and must give the same figures.
import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, disconnected, envelope, subscribed, type Payload } from "@/test/support/events";
import { BASE, ingestRequest, params, viewerRequest } from "@/test/support/routes";
import { POST as ingest } from "../ingest/route";
import { GET as clientAvailability } from "../clients/[clientId]/availability/route";

const H = 3_600_000;
const DAY = 24 * H;
/** A past UTC midnight: every range below ends before now, so the figures are exact. */
const D0 = Date.UTC(2026, 10, 2);
const iso = (t: number) => new Date(t).toISOString();

interface Case {
  name: string;
  events: Payload[];
  /** The range asked for; the day from D0 unless given. */
  range?: [from: number, to: number];
  /** The figures expected: time online, time observed, disconnects. */
  figures: [online: number, observed: number, disconnects: number];
}

const id = "avail/dev 1";
/** Events of `id`, at D0 + t. */
const up = (t: number, version: number) => connected(id, D0 + t, version);
const down = (t: number, version: number, extra?: Record<string, unknown>) =>
  disconnected(id, D0 + t, version, extra);
/** A connection across `from` and one across `to` of the day from D0. */
const EDGES = [up(-2 * H, 1), down(3 * H, 1), up(23 * H, 2), down(26 * H, 2)];

const CASES: Case[] = [
  {
    name: "first seen mid-range: observed from the first event (a subscription), not from `from`",
    events: [subscribed(id, D0 + 6 * H, ["a/b"]), up(8 * H, 1), down(20 * H, 1)],
    figures: [12 * H, 18 * H, 1],
  },
  {
    name: "a lost disconnect ends at the next connection's start, as the timeline draws it",
    events: [up(H, 1), up(5 * H, 2), down(7 * H, 2)],
    figures: [6 * H, 23 * H, 1],
  },
  {
    name: "the open current connection counts to the end of the range",
    events: [up(2 * H, 1)],
    figures: [22 * H, 22 * H, 0],
  },
  {
    name: "range edges: connections cut at from and to; a disconnect after to is not counted",
    events: EDGES,
    figures: [4 * H, 24 * H, 1],
  },
  {
    name: "range edges inside the days: partial first and last day exactly",
    events: EDGES,
    range: [D0 + 1.5 * H, D0 + 23.5 * H],
    figures: [2 * H, 22 * H, 1],
  },
  {
    name: "several whole days between two partial ones",
    events: [
      up(-2 * H, 1),
      down(3 * H, 1),
      up(23 * H, 2),
      down(2 * DAY + 1 * H, 2),
      up(3 * DAY + 12 * H, 3),
      down(3 * DAY + 13 * H, 3),
    ],
    range: [D0 - 12 * H, D0 + 3 * DAY + 12.5 * H],
    figures: [5 * H + 26 * H + 0.5 * H, 3 * DAY + 12.5 * H + 2 * H, 2],
  },
  {
    name: "version reset: after an hour offline version 0 is current, the old one's end is inferred",
    events: [
      up(H, 7),
      // v7's disconnect is lost; more than an hour later the version starts again.
      up(10 * H, 0),
      down(12 * H, 0),
    ],
    figures: [11 * H, 23 * H, 1],
  },
  {
    name: "a take-over (duplicate client ID): overlapping connections count once",
    events: [
      up(H, 1),
      up(3 * H, 2),
      down(3 * H + 30_000, 1, { disconnectReason: "DUPLICATE_CLIENTID" }),
    ],
    figures: [23 * H, 23 * H, 1],
  },
  {
    name: "first event after the range: nothing observed, availability null",
    events: [up(2 * DAY, 1)],
    figures: [0, 0, 0],
  },
];

async function post(events: Payload[]) {
  const r = await ingest(ingestRequest(events.map(envelope)));
  expect(r.status).toBe(200);
  expect(((await r.json()) as { rejected: unknown[] }).rejected).toEqual([]);
}

async function figures(from: number, to: number) {
  const url = `${BASE}/api/clients/${encodeURIComponent(id)}/availability?from=${iso(from)}&to=${iso(to)}`;
  const r = await clientAvailability(viewerRequest(url), params({ clientId: id }));
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

beforeEach(resetDatabase);

describe("GET /api/clients/{id}/availability: exact figures", () => {
  for (const c of CASES) {
    for (const delivery of ["in order, one batch", "backwards, one event per batch"] as const) {
      it(`${c.name} (${delivery})`, async () => {
        if (delivery === "in order, one batch") await post(c.events);
        else for (const e of [...c.events].reverse()) await post([e]);
        const [from, to] = c.range ?? [D0, D0 + DAY];
        const [online, observed, disconnects] = c.figures;
        const body = await figures(from, to);
        expect(body).toMatchObject({
          from: iso(from),
          to: iso(to),
          onlineSeconds: online / 1000,
          observedSeconds: observed / 1000,
          availability: observed === 0 ? null : online / observed,
          disconnects,
        });
      });
    }
  }

  it("the day strip: one entry per UTC day, partial first and last day", async () => {
    await post(CASES[5]!.events);
    const body = await figures(D0 - 12 * H, D0 + 3 * DAY + 12.5 * H);
    const days = body.days as { day: string; onlineSeconds: number; observedSeconds: number }[];
    expect(days.map((d) => [d.day, d.onlineSeconds / 3600, d.observedSeconds / 3600])).toEqual([
      ["2026-11-01", 2, 2],
      ["2026-11-02", 4, 24],
      ["2026-11-03", 24, 24],
      ["2026-11-04", 1, 24],
      ["2026-11-05", 0.5, 12.5],
    ]);
  });

  it("an open connection with `to` in the future counts until now, and so does observed time", async () => {
    const start = Date.now() - 2 * H;
    await post([connected(id, start, 1)]);
    const before = Date.now();
    const body = await figures(start - H, Date.now() + DAY);
    const after = Date.now();
    const online = (body.onlineSeconds as number) * 1000;
    expect(online).toBeGreaterThanOrEqual(before - start);
    expect(online).toBeLessThanOrEqual(after - start);
    expect(body.observedSeconds).toBe(body.onlineSeconds);
    expect(body.availability).toBe(1);
  });

  it.each([
    ["from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z", "from"],
    ["from=yesterday", "from"],
    ["to=12:00", "to"],
  ])("400 naming the field: %s", async (query, field) => {
    await post([connected(id, D0, 1)]);
    const r = await clientAvailability(
      viewerRequest(`${BASE}/api/clients/x/availability?${query}`),
      params({ clientId: id }),
    );
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_query");
    expect(body.error.message).toContain(field);
  });

  it("404 for a client never seen", async () => {
    const r = await clientAvailability(
      viewerRequest(`${BASE}/api/clients/nobody/availability`),
      params({ clientId: "nobody" }),
    );
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
