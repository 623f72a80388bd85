// Nothing is lost when an app instance is SIGKILLed between an alert's state
// change and its send, or in the middle of the send: another sender (here
// the test process) delivers it, with the same deliveryId.
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db/client";
import { resetDatabase } from "../../test/support/db";
import {
  deliveries,
  dropClients,
  insertChannel,
  insertRule,
  resetAlerts,
} from "../../test/support/alerts-db";
import { startReceiver, type Receiver } from "../../test/support/receiver";
import { alertsConfig } from "./config";
import { leaseMs, sendDueDeliveries } from "./sender";

const ENV = { ALERTS_ALLOW_PRIVATE_TARGETS: "1", ALERTS_SEND_TIMEOUT_SECONDS: "0.5" };
const config = alertsConfig(ENV as unknown as NodeJS.ProcessEnv);
let receiver: Receiver;
let child: ChildProcess | undefined;

function startWorker(mode: "hang" | "send"): { child: ChildProcess; evaluated: Promise<void> } {
  const proc = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "test/support/alert-worker.ts", mode],
    {
      env: { ...process.env, ...ENV },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const evaluated = new Promise<void>((resolve, reject) => {
    proc.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("evaluated 1")) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return { child: proc, evaluated };
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

beforeEach(async () => {
  await resetDatabase();
  await resetAlerts();
  receiver = await startReceiver();
  const channelId = await insertChannel({ type: "webhook", url: receiver.url, secret: "k" });
  await insertRule({ kind: "client_offline", channelIds: [channelId] });
  await dropClients(["dev-1"]);
});
afterEach(async () => {
  if (child) await killed(child);
  child = undefined;
  await receiver.close();
});

describe("outbox across a SIGKILL", () => {
  it("killed after the state change, before sending: the delivery is sent by the next sender", async () => {
    const worker = startWorker("hang");
    child = worker.child;
    await worker.evaluated;
    await killed(worker.child);
    expect(await deliveries()).toMatchObject([{ state: "pending", attempts: 0 }]);
    expect(await sendDueDeliveries(db().pool, config)).toEqual({ sent: 1, failed: 0 });
    expect(receiver.requests).toHaveLength(1);
  });

  it("killed mid-send: the delivery is sent again after its lease, with the same deliveryId", async () => {
    receiver.respond(() => "hang");
    const worker = startWorker("send");
    child = worker.child;
    await worker.evaluated;
    await receiver.waitFor(1);
    await killed(worker.child);
    receiver.respond(() => ({ status: 200 }));
    // Still leased by the dead instance: nobody else may send it yet.
    expect(await sendDueDeliveries(db().pool, config)).toEqual({ sent: 0, failed: 0 });
    await new Promise((r) => setTimeout(r, leaseMs(config) + 200));
    expect(await sendDueDeliveries(db().pool, config)).toEqual({ sent: 1, failed: 0 });
    const ids = receiver.requests.map((r) => r.headers["x-fleet-delivery"]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(receiver.requests[0]!.body).toBe(receiver.requests[1]!.body);
    expect(await deliveries()).toMatchObject([{ state: "sent", attempts: 2 }]);
  });
});
