// The bridge against a third-party broker: a private Mosquitto with a
// WebSocket listener on a free loopback port (never the system one on 1883).
// The test publishes AWS-format lifecycle events itself; they must reach
// PostgreSQL through the real app exactly once, over MQTT 5 and 3.1.1, and
// across a bridge restart (persistent session with session expiry).
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { publishAll, syntheticEvents, waitFor } from "../../test/support/broker";
import { startMosquitto, type Mosquitto } from "../../test/support/mosquitto";
import { startBridge, type BridgeOptions } from "./index";
import { createLogger } from "../log/logger";
import { canonical, startStack, type Stack } from "../../test/support/bridge-stack";

let mosquitto: Mosquitto;
let wsUrl: string;
let stack: Stack;
let publisher: MqttClient;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  wsUrl = mosquitto.wsUrl;
  stack = await startStack({ databaseUrl: inject("databaseUrl"), prefix: "mosq" });
  publisher = await connectAsync(wsUrl, { clientId: "mosq-test-publisher", protocolVersion: 5 });
});

afterAll(async () => {
  // Broker first, so that nothing below can leave it running if it hangs.
  publisher?.end(true);
  await mosquitto?.stop();
  await stack?.close();
});

describe("bridge with Mosquitto", () => {
  it(
    "delivers AWS-format events exactly once over MQTT 5, then 3.1.1 after a restart",
    { timeout: 55_000 },
    async () => {
      const lines: string[] = [];
      const options: BridgeOptions = {
        mqttUrl: wsUrl,
        ingestUrl: stack.ingestUrl,
        ingestToken: "test-token",
        spoolDir: stack.spoolDir,
        clientId: "bridge-for-mosquitto",
        sessionExpirySeconds: 600,
        batchMaxWaitMs: 50,
        logger: createLogger({ level: "info", write: (l) => lines.push(l) }),
      };
      const first = await startBridge(options);
      const wave1 = syntheticEvents(3000, "mosq-a");
      // Invalid input is quarantined by ingest and reported back, not retried forever.
      const forged = {
        topic: "$aws/events/presence/connected/mosq-forged",
        payload: '{"clientId":"mosq-forged","eventType":"connected","timestamp":"yesterday"}',
      };
      await publishAll(publisher, [...wave1, forged]);
      for (const e of wave1) stack.published.add(canonical(JSON.parse(e.payload)));
      await stack.expectExactlyOnce();
      expect(lines.some((l) => l.includes('"protocolVersion":5'))).toBe(true);
      await waitFor(
        () => lines.some((l) => l.includes("ingest quarantined an event")),
        5000,
        "quarantine report",
      );
      await first.close();

      // Away: Mosquitto keeps these for the bridge's session.
      const wave2 = syntheticEvents(1000, "mosq-b");
      await publishAll(publisher, wave2);
      for (const e of wave2) stack.published.add(canonical(JSON.parse(e.payload)));
      const second = await startBridge({ ...options, protocolVersion: 4 });
      try {
        const counts = await stack.expectExactlyOnce();
        process.stdout.write(
          `mosquitto: ${counts.published} published, ${counts.stored} stored once each\n`,
        );
        expect(counts.stored).toBe(4000);
      } finally {
        await second.close();
      }
    },
  );
});
