// Fault: PostgreSQL becomes unreachable for a while (the app's connections go
// through a proxy the test cuts). Ingest answers 503, the bridge keeps the
// events spooled and retries; afterwards every event is stored exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor } from "../../test/support/broker";
import type { Bridge } from "./index";
import { startStack, type Stack } from "../../test/support/bridge-stack";
import { startDatabaseProxy, type TcpProxy } from "../../test/support/tcp-proxy";

let stack: Stack;
let bridge: Bridge;
let proxy: TcpProxy;

beforeAll(async () => {
  const databaseUrl = inject("databaseUrl");
  const proxied = await startDatabaseProxy(databaseUrl);
  proxy = proxied.proxy;
  stack = await startStack({ databaseUrl, appDatabaseUrl: proxied.viaProxy, prefix: "fault-db" });
  bridge = await stack.startBridge("bridge-for-fault-db", { metricsPort: 0 });
});

afterAll(async () => {
  await bridge?.close();
  await stack?.close();
  await proxy?.close();
});

describe("fault: PostgreSQL unreachable for a while", () => {
  it(
    "holds events until the database is back, then stores each exactly once",
    { timeout: 55_000 },
    async () => {
      const fleet = await stack.startFlowingFleet(31);
      proxy.cut();
      const health = await fetch(`${stack.app.url}/api/health`);
      expect(health.status).toBe(503);
      await waitFor(
        async () => (await bridge.stats()).spooled > 20,
        10_000,
        "events piling up in the spool",
      );
      await new Promise((r) => setTimeout(r, 2000));
      const metrics = await (await fetch(`http://127.0.0.1:${bridge.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/bridge_ingest_retries_total\{reason="503"\} [1-9]/);
      proxy.restore();
      await new Promise((r) => setTimeout(r, 1000));
      await fleet.stop();
      const counts = await stack.expectExactlyOnce();
      process.stdout.write(
        `fault-db: ${counts.published} published, ${counts.stored} stored once each\n`,
      );
      // Stored is not yet acknowledged: a batch the database committed may
      // still be on its way back to the bridge, or may have been answered 503
      // because the cut reset the app's connection after COMMIT reached the
      // server; its retry (a duplicate, absorbed) drains the spool shortly after.
      // CI once saw 414 still spooled at this point with all 491 stored.
      await waitFor(
        async () => (await bridge.stats()).spooled === 0,
        15_000,
        "the bridge's spool drained after the database came back",
      );
    },
  );
});
