import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLifecycleBroker, type LifecycleBroker, type LifecycleMessage } from "./index";
import { observeEvents, waitFor, type ObservedEvent } from "../../test/support/broker";

let broker: LifecycleBroker;
let observer: Awaited<ReturnType<typeof observeEvents>>;
let published: LifecycleMessage[];
let clock: number;
const open: MqttClient[] = [];

async function device(
  url: string,
  clientId: string,
  extra: Parameters<typeof connectAsync>[1] = {},
): Promise<MqttClient> {
  const client = await connectAsync(url, {
    clientId,
    reconnectPeriod: 0,
    protocolVersion: 4,
    ...extra,
  });
  open.push(client);
  return client;
}

function eventsOf(clientId: string, type?: string): ObservedEvent[] {
  return observer.events.filter(
    (e) => e.payload.clientId === clientId && (!type || e.payload.eventType === type),
  );
}

function waitEvents(clientId: string, count: number, type?: string): Promise<ObservedEvent[]> {
  return waitFor(
    () => {
      const found = eventsOf(clientId, type);
      return found.length >= count ? found : undefined;
    },
    5000,
    `${count} ${type ?? ""} events of ${clientId}`,
  );
}

beforeEach(async () => {
  clock = Date.now();
  published = [];
  broker = await startLifecycleBroker({
    now: () => clock,
    versionResetMs: 60_000,
    onEvent: (m) => published.push(m),
  });
  observer = await observeEvents(broker.tcpUrl);
});

afterEach(async () => {
  for (const c of open.splice(0)) c.end(true);
  await observer.close();
  await broker.close();
});

describe("embedded lifecycle broker", () => {
  it("announces a WebSocket connection and its clean disconnect with one versionNumber", async () => {
    const c = await device(broker.wsUrl, "sensor/ws-1", { username: "alice" });
    await c.endAsync();
    const [connected, disconnected] = await waitEvents("sensor/ws-1", 2);
    expect(connected?.topic).toBe("$aws/events/presence/connected/sensor/ws-1");
    expect(connected?.payload).toMatchObject({
      eventType: "connected",
      versionNumber: 0,
      principalIdentifier: "alice",
      ipAddress: "127.0.0.1",
      timestamp: clock,
    });
    expect(disconnected?.payload).toMatchObject({
      eventType: "disconnected",
      versionNumber: 0,
      disconnectReason: "CLIENT_INITIATED_DISCONNECT",
      clientInitiatedDisconnect: true,
      sessionIdentifier: connected?.payload.sessionIdentifier,
    });
  });

  it("counts versions per client ID, keeps persistent session IDs, renews clean ones, resets after the window", async () => {
    const ids: unknown[] = [];
    for (const clean of [false, false, true]) {
      const c = await device(broker.tcpUrl, "dev-v", { clean });
      await c.endAsync();
    }
    let events = await waitEvents("dev-v", 3, "connected");
    expect(events.map((e) => e.payload.versionNumber)).toEqual([0, 1, 2]);
    ids.push(...events.map((e) => e.payload.sessionIdentifier));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[1]);

    clock += 60_000; // an offline stretch as long as the reset window
    const again = await device(broker.tcpUrl, "dev-v");
    events = await waitEvents("dev-v", 4, "connected");
    expect(events[3]?.payload.versionNumber).toBe(0);
    await again.endAsync();
  });

  it("tells a dropped socket from a takeover and from a keep-alive timeout", async () => {
    const dropped = await device(broker.tcpUrl, "dev-drop");
    dropped.stream.destroy();
    const [, lost] = await waitEvents("dev-drop", 2);
    expect(lost?.payload).toMatchObject({
      disconnectReason: "CONNECTION_LOST",
      clientInitiatedDisconnect: false,
    });

    await device(broker.tcpUrl, "dev-dup");
    await device(broker.wsUrl, "dev-dup");
    const dup = await waitEvents("dev-dup", 3);
    expect(dup.map((e) => [e.payload.eventType, e.payload.versionNumber])).toEqual([
      ["connected", 0],
      ["disconnected", 0],
      ["connected", 1],
    ]);
    expect(dup[1]?.payload.disconnectReason).toBe("DUPLICATE_CLIENTID");

    const silent = await device(broker.tcpUrl, "dev-silent", { keepalive: 1 });
    silent.keepaliveManager.destroy(); // stop pinging: the broker gives up after 1.5 keep-alives
    const [, timedOut] = await waitEvents("dev-silent", 2);
    expect(timedOut?.payload.disconnectReason).toBe("MQTT_KEEP_ALIVE_TIMEOUT");
  });

  it("reports subscriptions and unsubscriptions, but not the end of a clean session", async () => {
    const c = await device(broker.wsUrl, "dev-sub");
    await c.subscribeAsync(["cmd/dev-sub", "fleet/#"], { qos: 1 });
    await c.unsubscribeAsync("fleet/#");
    await c.endAsync();
    const events = await waitEvents("dev-sub", 4);
    expect(events.map((e) => e.payload.eventType)).toEqual([
      "connected",
      "subscribed",
      "unsubscribed",
      "disconnected",
    ]);
    expect(events[1]?.payload.topics).toEqual(["cmd/dev-sub", "fleet/#"]);
    expect(events[2]?.payload.topics).toEqual(["fleet/#"]);
    expect(events[1]?.payload.sessionIdentifier).toBe(events[0]?.payload.sessionIdentifier);
    expect(events[1]?.topic).toBe("$aws/events/subscriptions/subscribed/dev-sub");
  });

  it("publishes connect_failed for a refused login and nothing for wildcard client IDs", async () => {
    await expect(
      device(broker.tcpUrl, "dev-denied", { username: "unauthorized", password: "x" }),
    ).rejects.toThrow();
    const [failed] = await waitEvents("dev-denied", 1);
    expect(failed?.topic).toBe("$aws/events/presence/connect_failed/dev-denied");
    expect(failed?.payload).toMatchObject({
      connectFailureReason: "AUTHORIZATION_FAILED",
      principalIdentifier: "unauthorized",
    });

    const wild = await device(broker.tcpUrl, "bad+id");
    await wild.subscribeAsync("x/y");
    await wild.endAsync();
    const marker = await device(broker.tcpUrl, "marker");
    await waitEvents("marker", 1);
    expect(published.some((m) => m.payload.clientId === "bad+id")).toBe(false);
    await marker.endAsync();
  });

  it("refuses device publishes on $aws/ topics like AWS does", async () => {
    const c = await device(broker.tcpUrl, "dev-forger");
    c.publish("$aws/events/presence/connected/someone", "{}", { qos: 1 });
    const [, dropped] = await waitEvents("dev-forger", 2);
    expect(dropped?.payload.disconnectReason).toBe("FORBIDDEN_ACCESS");
    expect(eventsOf("someone")).toEqual([]);
  });
});
