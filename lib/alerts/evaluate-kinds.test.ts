// The episode-less kinds against PostgreSQL: client_flapping follows the
// status flag's rule, connect_failed counts refused attempts in its window,
// fleet_online_below compares the selection's online count.
import { beforeEach, describe, expect, it } from "vitest";
import { ingest } from "../ingest";
import { connected, disconnected, envelope } from "../../test/support/events";
import {
  evaluateAt as evaluate,
  insertRule,
  resetPresenceAndAlerts,
  storedAlerts,
} from "../../test/support/alerts-db";

const MIN = 60_000;
const post = async (items: unknown[], at: number) => {
  const r = await ingest(JSON.stringify(items), new Date(at));
  expect(r.rejected).toEqual([]);
};

beforeEach(resetPresenceAndAlerts);

describe("episode-less alert kinds", () => {
  it("client_flapping fires at the flap threshold and resolves once the window has passed", async () => {
    const ruleId = await insertRule({ kind: "client_flapping" });
    const t0 = Date.now() - 60 * MIN;
    const flaps = [0, 1, 2, 3, 4].flatMap((i) => [
      envelope(connected("restless", t0 + i * MIN, i + 1)),
      envelope(disconnected("restless", t0 + i * MIN + 20_000, i + 1)),
    ]);
    await post(flaps.slice(0, 8), t0 + 5 * MIN);
    await evaluate(t0 + 5 * MIN);
    expect(await storedAlerts(ruleId)).toEqual([]);
    await post(flaps.slice(8), t0 + 5 * MIN + 1);
    await evaluate(t0 + 5 * MIN + 1000);
    expect(await storedAlerts(ruleId)).toMatchObject([{ clientId: "restless", resolvedAt: null }]);
    await evaluate(t0 + 20 * MIN);
    expect(await storedAlerts(ruleId)).toMatchObject([
      { clientId: "restless", resolvedAt: t0 + 20 * MIN },
    ]);
  });

  it("connect_failed counts refused attempts within windowSeconds", async () => {
    const ruleId = await insertRule({ kind: "connect_failed", threshold: 3, windowSeconds: 60 });
    const t0 = Date.now() - 10 * MIN;
    const failure = (i: number) => ({
      topic: "$aws/events/presence/connect_failed/locked-out",
      payload: {
        clientId: "locked-out",
        timestamp: t0 + i * 10_000,
        eventType: "connect_failed",
        connectFailureReason: "AUTHORIZATION_FAILED",
        principalIdentifier: "p",
      },
    });
    await post([failure(0), failure(1), failure(2)], t0 + 30_000);
    await evaluate(t0 + 30_000);
    expect(await storedAlerts(ruleId)).toMatchObject([
      { clientId: "locked-out", resolvedAt: null },
    ]);
    await evaluate(t0 + 2 * MIN);
    expect(await storedAlerts(ruleId)).toMatchObject([
      { clientId: "locked-out", resolvedAt: t0 + 2 * MIN },
    ]);
  });

  it("fleet_online_below fires for the selection when too few are online", async () => {
    const ruleId = await insertRule({
      kind: "fleet_online_below",
      thresholdShare: 0.5,
      clientIdPattern: "pump-*",
    });
    const t0 = Date.now() - 10 * MIN;
    await post(
      [
        envelope(connected("pump-1", t0, 1)),
        envelope(connected("pump-2", t0, 1)),
        envelope(connected("valve-1", t0, 1)),
      ],
      t0,
    );
    await evaluate(t0 + 1000);
    expect(await storedAlerts(ruleId)).toEqual([]);
    await post(
      [
        envelope(disconnected("pump-1", t0 + MIN, 1)),
        envelope(disconnected("pump-2", t0 + MIN, 1)),
      ],
      t0 + MIN,
    );
    await evaluate(t0 + MIN + 1000); // still pending: online is 0 of 2
    expect(await storedAlerts(ruleId)).toMatchObject([{ clientId: null, resolvedAt: null }]);
    await post([envelope(connected("pump-1", t0 + 2 * MIN, 2))], t0 + 2 * MIN);
    await evaluate(t0 + 2 * MIN + 1000);
    expect(await storedAlerts(ruleId)).toMatchObject([
      { clientId: null, resolvedAt: t0 + 2 * MIN + 1000 },
    ]);
  });
});
