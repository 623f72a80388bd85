// End to end over real WebSockets: simulated devices → embedded broker →
// bridge → POST /api/ingest of the real app → PostgreSQL → read API.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor } from "../../test/support/broker";
import { startFleet } from "../simulator";
import { startBridge, type Bridge } from "./index";
import { startStack, type Stack } from "../../test/support/bridge-stack";

let stack: Stack;
let bridge: Bridge;

beforeAll(async () => {
  stack = await startStack({
    databaseUrl: inject("databaseUrl"),
    prefix: "e2e",
    appEnv: { OFFLINE_GRACE_SECONDS: "1" },
  });
  bridge = await startBridge({
    mqttUrl: stack.broker.wsUrl,
    ingestUrl: stack.ingestUrl,
    ingestToken: "test-token",
    spoolDir: stack.spoolDir,
    clientId: "bridge-for-e2e",
    batchMaxWaitMs: 50,
    logLevel: "warn",
  });
});

afterAll(async () => {
  await bridge?.close();
  await stack?.close();
});

interface ClientBody {
  clientId: string;
  status: string;
  subscriptions: string[];
}

describe("devices → broker → bridge → app → PostgreSQL → API", () => {
  it(
    "shows every device with the right status and subscriptions",
    { timeout: 55_000 },
    async () => {
      const fleet = await startFleet({
        mqttUrl: stack.broker.wsUrl,
        devices: 15,
        seed: 11,
        meanActionMs: 120,
        meanOfflineMs: 150,
        keepaliveSeconds: 1,
        clientIdPrefix: "e2e",
      });
      await new Promise((r) => setTimeout(r, 5000));
      await fleet.quiesce();
      const counts = await stack.expectExactlyOnce();
      expect(counts.published).toBeGreaterThan(100);
      await new Promise((r) => setTimeout(r, 1200)); // past the 1 s offline grace
      for (const device of fleet.snapshot()) {
        // Reads need an operator session; the harness logs in as the test admin.
        const response = await stack.app.fetch(
          `/api/clients/${encodeURIComponent(device.clientId)}`,
        );
        expect(response.status, device.clientId).toBe(200);
        const body = (await response.json()) as ClientBody;
        expect({ id: body.clientId, status: body.status }).toEqual({
          id: device.clientId,
          status: device.online ? "online" : "offline",
        });
        if (device.online)
          expect([...body.subscriptions].sort(), device.clientId).toEqual(device.subscriptions);
      }

      await fleet.stop();
      await stack.expectExactlyOnce();
      await waitFor(
        async () => {
          const list = (await (await stack.app.fetch("/api/clients?q=e2e-&limit=100")).json()) as {
            counts: { online: number; total: number };
          };
          return list.counts.total >= 15 && list.counts.online === 0;
        },
        10_000,
        "no e2e device online after the fleet stopped",
      );
    },
  );
});
