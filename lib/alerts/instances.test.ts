// Two app instances (separate processes, each evaluating and sending as the
// scheduler does) over one database: every alert fires once and every
// notification reaches the receiver once, whoever claimed it.
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import { dropClients, insertChannel, insertRule, resetAlerts } from "../../test/support/alerts-db";
import { startReceiver, type Receiver } from "../../test/support/receiver";

const ENV = { ALERTS_ALLOW_PRIVATE_TARGETS: "1" };
let receiver: Receiver;
const children: ChildProcess[] = [];

function startInstance(): Promise<void> {
  const proc = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "test/support/alert-worker.ts", "loop"],
    {
      env: { ...process.env, ...ENV },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(proc);
  return new Promise<void>((resolve, reject) => {
    proc.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("idle")) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`instance exited with ${code}`)));
  });
}

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
  receiver = await startReceiver();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGKILL");
      await exited;
    }
  }
  await receiver.close();
});

describe("two app instances", () => {
  it("evaluate and send at once: each alert fires once, each notification arrives once", async () => {
    const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: "k" });
    await insertRule({ kind: "client_offline", channelIds: [channelId] });
    await insertRule({ kind: "client_offline", forSeconds: 1, channelIds: [channelId] });
    const ids = Array.from({ length: 150 }, (_, i) => `dev-${i}`);
    await dropClients(ids);
    await Promise.all([startInstance(), startInstance()]);
    const { rows } = await db().pool.query<{ n: number; distinct_n: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (rule_id, client_id))::int AS distinct_n FROM alert`,
    );
    expect(rows[0]).toEqual({ n: 300, distinct_n: 300 });
    const deliveryIds = receiver.requests.map((r) => r.headers["x-fleet-delivery"]);
    expect(deliveryIds).toHaveLength(300);
    expect(new Set(deliveryIds).size).toBe(300);
    const delivered = await db().pool.query<{ state: string; n: number }>(
      `SELECT state, count(*)::int AS n FROM alert_delivery GROUP BY state`,
    );
    expect(delivered.rows).toEqual([{ state: "sent", n: 300 }]);
  }, 120_000);
});
