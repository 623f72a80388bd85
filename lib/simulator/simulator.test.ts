import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLifecycleBroker, type LifecycleBroker } from "../broker";
import { observeEvents, waitFor, type ObservedEvent } from "../../test/support/broker";
import { createRandom } from "./random";
import { startFleet } from "./index";

let broker: LifecycleBroker;
let observer: Awaited<ReturnType<typeof observeEvents>>;

beforeEach(async () => {
  broker = await startLifecycleBroker();
  observer = await observeEvents(broker.tcpUrl);
});
afterEach(async () => {
  await observer.close();
  await broker.close();
});

/** The state the events imply for one client: online or not, and its current subscriptions. */
function replay(
  events: ObservedEvent[],
  clientId: string,
): { online: boolean; subscriptions: string[] } {
  let online = false;
  let session: unknown = null;
  const subs = new Map<string, unknown>();
  for (const { payload: p } of events) {
    if (p.clientId !== clientId) continue;
    if (p.eventType === "connected") {
      online = true;
      session = p.sessionIdentifier;
    } else if (p.eventType === "disconnected") online = false;
    else if (p.eventType === "subscribed")
      for (const t of p.topics as string[]) subs.set(t, p.sessionIdentifier);
    else if (p.eventType === "unsubscribed") for (const t of p.topics as string[]) subs.delete(t);
  }
  const current = [...subs]
    .filter(([, s]) => s === session)
    .map(([t]) => t)
    .sort();
  return { online, subscriptions: current };
}

describe("simulated fleet", () => {
  it("is deterministic per seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(
      Array.from({ length: 5 }, () => b.next()),
    );
  });

  it("produces every kind of lifecycle event, and its snapshot matches what the events say", async () => {
    const fleet = await startFleet({
      mqttUrl: broker.wsUrl,
      devices: 20,
      seed: 7,
      meanActionMs: 60,
      meanOfflineMs: 80,
      keepaliveSeconds: 1,
    });
    const reasons = () =>
      new Set(observer.events.map((e) => e.payload.disconnectReason).filter(Boolean));
    await waitFor(
      () =>
        [
          "CLIENT_INITIATED_DISCONNECT",
          "CONNECTION_LOST",
          "DUPLICATE_CLIENTID",
          "MQTT_KEEP_ALIVE_TIMEOUT",
        ].every((r) => reasons().has(r)) &&
        ["connect_failed", "subscribed", "unsubscribed"].every((t) =>
          observer.events.some((e) => e.payload.eventType === t),
        ),
      20_000,
      "every kind of event",
    );
    await fleet.quiesce();
    await new Promise((r) => setTimeout(r, 300)); // let the last events reach the observer
    const snapshot = fleet.snapshot();
    expect(snapshot.some((d) => d.clientId.includes("/"))).toBe(true);
    for (const device of snapshot) {
      const implied = replay(observer.events, device.clientId);
      expect({ id: device.clientId, online: implied.online }).toEqual({
        id: device.clientId,
        online: device.online,
      });
      if (device.online) expect(implied.subscriptions).toEqual(device.subscriptions);
    }
    await fleet.stop();
    await waitFor(
      () => snapshot.every((d) => !replay(observer.events, d.clientId).online),
      5000,
      "all offline after stop",
    );
  }, 45_000);
});
