// Fault: the web app is killed (SIGKILL) and restarted while events stream in.
// Every event the broker published must end up in PostgreSQL exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor } from "../../test/support/broker";
import { startFleet } from "../simulator";
import { startBridge, type Bridge } from "./index";
import { startStack, type Stack } from "../../test/support/bridge-stack";

let stack: Stack;
let bridge: Bridge;

beforeAll(async () => {
  stack = await startStack({ databaseUrl: inject("databaseUrl"), prefix: "fault-app" });
  bridge = await startBridge({
    mqttUrl: stack.broker.wsUrl,
    ingestUrl: stack.ingestUrl,
    ingestToken: "test-token",
    spoolDir: stack.spoolDir,
    clientId: "bridge-for-fault-app",
    batchMaxWaitMs: 50,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    logLevel: "error",
  });
});

afterAll(async () => {
  await bridge?.close();
  await stack?.close();
});

describe("fault: the web app dies mid-stream", () => {
  it("loses nothing and stores nothing twice", { timeout: 55_000 }, async () => {
    const fleet = await startFleet({
      mqttUrl: stack.broker.wsUrl,
      devices: 15,
      seed: 21,
      meanActionMs: 100,
      meanOfflineMs: 120,
      keepaliveSeconds: 1,
      clientIdPrefix: "fault-app",
    });
    await waitFor(
      async () => (await stack.stored()).length > 50,
      15_000,
      "events flowing into the database",
    );
    stack.app.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 2000)); // the fleet keeps producing; the bridge spools and retries
    const during = stack.published.size;
    await stack.app.restart();
    await new Promise((r) => setTimeout(r, 1500));
    await fleet.stop();
    const counts = await stack.expectExactlyOnce();
    const stats = await bridge.stats();
    process.stdout.write(
      `fault-app: ${counts.published} published, ${counts.stored} stored once each; ${stats.forwarded} forwarded\n`,
    );
    expect(during).toBeGreaterThan(50);
    expect(counts.published).toBeGreaterThan(during);
  });
});
