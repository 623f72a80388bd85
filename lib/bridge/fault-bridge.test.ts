// Fault: the bridge process is killed with SIGKILL mid-stream and started
// again on the same spool and client ID. Events it had acknowledged live in
// its spool; events it had not stay with the broker (persistent session).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { spawnBridge, startStack, type Stack } from "../../test/support/bridge-stack";

let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ databaseUrl: inject("databaseUrl"), prefix: "fault-bridge" });
  env = {
    MQTT_URL: stack.broker.wsUrl,
    INGEST_URL: stack.ingestUrl,
    INGEST_TOKEN: "test-token",
    BRIDGE_SPOOL_DIR: stack.spoolDir,
    BRIDGE_CLIENT_ID: "bridge-for-fault-bridge",
    BRIDGE_MQTT_VERSION: "4",
    BRIDGE_BATCH_MAX_WAIT_MS: "50",
    BRIDGE_RETRY_BASE_MS: "100",
  };
});

afterAll(async () => {
  await stack?.close();
});

describe("fault: the bridge is SIGKILLed and restarted", () => {
  it("loses nothing and stores nothing twice", { timeout: 58_000 }, async () => {
    const first = spawnBridge(env);
    await first.started();
    const fleet = await stack.startFlowingFleet(41);
    await first.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 1500)); // the broker queues events for the absent bridge
    const second = spawnBridge(env);
    try {
      await second.started();
      await new Promise((r) => setTimeout(r, 1000));
      await fleet.stop();
      const counts = await stack.expectExactlyOnce();
      process.stdout.write(
        `fault-bridge: ${counts.published} published, ${counts.stored} stored once each\n`,
      );
      expect(counts.published).toBeGreaterThan(100);
    } finally {
      await second.stop("SIGTERM");
    }
    expect(second.output()).toMatch(/"bridge stopping","component":"bridge","drained":true/);
  });
});
