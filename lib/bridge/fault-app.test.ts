// Fault: the web app is killed (SIGKILL) and restarted while events stream in.
// Every event the broker published must end up in PostgreSQL exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Bridge } from "./index";
import { startStack, type Stack } from "../../test/support/bridge-stack";

let stack: Stack;
let bridge: Bridge;

beforeAll(async () => {
  stack = await startStack({ databaseUrl: inject("databaseUrl"), prefix: "fault-app" });
  bridge = await stack.startBridge("bridge-for-fault-app");
});

afterAll(async () => {
  await bridge?.close();
  await stack?.close();
});

describe("fault: the web app dies mid-stream", () => {
  it("loses nothing and stores nothing twice", { timeout: 55_000 }, async () => {
    const fleet = await stack.startFlowingFleet(21);
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
