import { beforeEach, describe, expect, it } from "vitest";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope, subscribed } from "@/test/support/events";
import { BASE, ingestRequest, params } from "@/test/support/routes";
import { POST as ingest } from "../../../ingest/route";
import { GET as failures } from "../failures/route";
import { GET as subscriptions } from "./route";

const NOW = Date.now();
const MIN = 60_000;
const ID = "plant/dev ice-1";

async function post(items: unknown[]) {
  const r = await ingest(ingestRequest(items));
  expect(r.status).toBe(200);
}

const get = (handler: typeof subscriptions, path: string, clientId = ID) =>
  handler(
    new Request(`${BASE}/api/clients/${encodeURIComponent(clientId)}/${path}`),
    params({ clientId }),
  );

beforeEach(resetDatabase);

describe("GET /api/clients/{clientId}/subscriptions", () => {
  it("lists the current session's topics as current, older sessions' and unsubscribed ones as not, and the history newest first", async () => {
    await post([
      envelope(connected(ID, NOW - 30 * MIN, 1)),
      envelope(subscribed(ID, NOW - 29 * MIN, ["old/a", "shared/b"])),
      // A clean session: a new identifier.
      envelope(connected(ID, NOW - 10 * MIN, 2, { sessionIdentifier: "s2" })),
      envelope(subscribed(ID, NOW - 9 * MIN, ["new/c", "shared/b"], { sessionIdentifier: "s2" })),
      envelope({
        ...subscribed(ID, NOW - 8 * MIN, ["new/c"], { sessionIdentifier: "s2" }),
        eventType: "unsubscribed",
      }),
    ]);
    const response = await get(subscriptions, "subscriptions");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.current).toEqual(["shared/b"]);
    expect(body.topics).toEqual([
      {
        topic: "new/c",
        eventType: "unsubscribed",
        at: new Date(NOW - 8 * MIN).toISOString(),
        sessionIdentifier: "s2",
        current: false,
      },
      {
        topic: "old/a",
        eventType: "subscribed",
        at: new Date(NOW - 29 * MIN).toISOString(),
        sessionIdentifier: `session-${ID}`,
        current: false,
      },
      {
        topic: "shared/b",
        eventType: "subscribed",
        at: new Date(NOW - 9 * MIN).toISOString(),
        sessionIdentifier: "s2",
        current: true,
      },
    ]);
    expect(
      body.history.map((h: { eventType: string; topics: string[] }) => [h.eventType, h.topics]),
    ).toEqual([
      ["unsubscribed", ["new/c"]],
      ["subscribed", ["new/c", "shared/b"]],
      ["subscribed", ["old/a", "shared/b"]],
    ]);
  });

  it("answers 404 in the error contract for a client never seen", async () => {
    const response = await get(subscriptions, "subscriptions", "nobody");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "not_found", message: "No client 'nobody' has been seen." },
    });
  });
});

describe("GET /api/clients/{clientId}/failures", () => {
  it("lists refused attempts newest first with the total", async () => {
    const failed = (at: number, reason: string) =>
      envelope({
        clientId: ID,
        timestamp: at,
        eventType: "connect_failed",
        principalIdentifier: "p",
        connectFailureReason: reason,
      });
    await post([
      envelope(connected(ID, NOW - 30 * MIN, 1)),
      failed(NOW - 20 * MIN, "AUTHORIZATION_FAILED"),
      failed(NOW - 10 * MIN, "THROTTLED"),
      failed(NOW - 5 * MIN, "AUTHORIZATION_FAILED"),
    ]);
    const response = await failures(
      new Request(`${BASE}/api/clients/x/failures?limit=2`),
      params({ clientId: ID }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.total).toBe(3);
    expect(
      body.items.map((f: { reason: string; failedAt: string }) => [f.reason, f.failedAt]),
    ).toEqual([
      ["AUTHORIZATION_FAILED", new Date(NOW - 5 * MIN).toISOString()],
      ["THROTTLED", new Date(NOW - 10 * MIN).toISOString()],
    ]);
  });

  it("rejects a bad limit with the error contract", async () => {
    await post([envelope(connected(ID, NOW, 1))]);
    const response = await failures(
      new Request(`${BASE}/api/clients/x/failures?limit=0`),
      params({ clientId: ID }),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("invalid_query");
  });
});
