// The broker with a data directory: what a restart (graceful, or a SIGKILL)
// must keep — persistent sessions and their queued messages, retained
// messages, incoming QoS 2 in flight, version numbers and session identifiers —
// and the disconnect events it publishes for the connections it ends.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  connect,
  connectAsync,
  type IClientOptions,
  type IConnackPacket,
  type MqttClient,
} from "mqtt";
import { generate, parser as mqttParser, type Packet } from "mqtt-packet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLifecycleBroker, type LifecycleBroker, type LifecycleMessage } from "./index";
import { SessionRegistry, type ClientRecord, type RegistryStore } from "./session-registry";
import { waitFor } from "../../test/support/broker";

let dataDir: string;
let published: LifecycleMessage[];
const brokers: LifecycleBroker[] = [];
const clients: MqttClient[] = [];
const children: ChildProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "broker-data-"));
  published = [];
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  for (const b of brokers.splice(0)) await b.close();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(
  extra: Parameters<typeof startLifecycleBroker>[0] = {},
): Promise<LifecycleBroker> {
  const broker = await startLifecycleBroker({
    dataDir,
    allowLifecyclePublish: true,
    onEvent: (m) => published.push(m),
    ...extra,
  });
  brokers.push(broker);
  return broker;
}

async function restart(broker: LifecycleBroker, extra: Parameters<typeof start>[0] = {}) {
  await broker.close();
  return start(extra);
}

async function client(url: string, clientId: string, extra: IClientOptions = {}) {
  const c = await connectAsync(url, { clientId, reconnectPeriod: 0, protocolVersion: 4, ...extra });
  clients.push(c);
  return c;
}

/** A client that records what it receives, from the moment it is connected. */
async function recorder(url: string, clientId: string, extra: IClientOptions = {}) {
  const received: { topic: string; payload: string }[] = [];
  // Listening before the CONNACK: a persistent session's queue arrives right after it.
  const c = connect(url, { clientId, reconnectPeriod: 0, protocolVersion: 4, ...extra });
  c.on("message", (topic, payload) => received.push({ topic, payload: payload.toString() }));
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    c.once("connect", resolve);
    c.once("error", reject);
  });
  clients.push(c);
  return { client: c, received, sessionPresent: connack.sessionPresent };
}

function eventsOf(clientId: string, type?: string) {
  return published
    .map((m) => m.payload)
    .filter((p) => p.clientId === clientId && (!type || p.eventType === type));
}

describe("broker with a data directory", () => {
  it("keeps a persistent session's subscription and its queued QoS 1 messages, and retained messages, across a restart", async () => {
    let broker = await start();
    const sub = await client(broker.tcpUrl, "persist-sub", { clean: false });
    await sub.subscribeAsync("fleet/cmd/#", { qos: 1 });
    await sub.endAsync();
    const pub = await client(broker.tcpUrl, "pub-1");
    await pub.publishAsync("fleet/cmd/a", "queued before the restart", { qos: 1 });
    await pub.publishAsync("fleet/state", "retained before the restart", { qos: 1, retain: true });
    await pub.endAsync();

    broker = await restart(broker);
    const pub2 = await client(broker.tcpUrl, "pub-2");
    await pub2.publishAsync("fleet/cmd/b", "queued after the restart", { qos: 1 });

    // Back without subscribing again: the session holds the subscription and the queue.
    const back = await recorder(broker.tcpUrl, "persist-sub", { clean: false });
    expect(back.sessionPresent).toBe(true);
    await waitFor(() => back.received.length >= 2, 5000, "the queued messages");
    await pub2.publishAsync("fleet/cmd/c", "live after the restart", { qos: 1 });
    await waitFor(() => back.received.length >= 3, 5000, "the live message");
    expect(back.received).toEqual([
      { topic: "fleet/cmd/a", payload: "queued before the restart" },
      { topic: "fleet/cmd/b", payload: "queued after the restart" },
      { topic: "fleet/cmd/c", payload: "live after the restart" },
    ]);

    const late = await recorder(broker.tcpUrl, "late-sub");
    await late.client.subscribeAsync("fleet/state", { qos: 1 });
    await waitFor(() => late.received.length >= 1, 5000, "the retained message");
    expect(late.received[0]?.payload).toBe("retained before the restart");
  });

  it("keeps an incoming QoS 2 message between PUBREC and PUBREL across a restart: a retransmission is not published twice", async () => {
    let broker = await start();
    const sub = await recorder(broker.tcpUrl, "q2-sub", { clean: false });
    await sub.client.subscribeAsync("q2/#", { qos: 1 });
    const connectPacket: Packet = {
      cmd: "connect",
      clientId: "q2-pub",
      clean: false,
      keepalive: 0,
      protocolId: "MQTT",
      protocolVersion: 4,
    };
    const publishPacket: Packet = {
      cmd: "publish",
      topic: "q2/x",
      payload: "in flight",
      qos: 2,
      messageId: 42,
      retain: false,
      dup: false,
    };

    // Aedes publishes a QoS 2 message on receipt and remembers its ID until PUBREL.
    const raw1 = await rawClient(broker.tcpUrl);
    raw1.send(connectPacket);
    await raw1.next("connack");
    raw1.send(publishPacket);
    await raw1.next("pubrec");
    raw1.socket.destroy(); // gone before sending PUBREL
    await waitFor(() => sub.received.length >= 1, 5000, "the message");

    broker = await restart(broker);
    const subBack = await recorder(broker.tcpUrl, "q2-sub", { clean: false });
    const raw2 = await rawClient(broker.tcpUrl);
    raw2.send(connectPacket);
    await raw2.next("connack"); // (Aedes reports a session only when it has subscriptions)
    raw2.send({ ...publishPacket, dup: true }); // the retransmission MQTT asks for
    await raw2.next("pubrec");
    raw2.send({ cmd: "pubrel", messageId: 42 });
    await raw2.next("pubcomp");
    const marker = await client(broker.tcpUrl, "q2-marker");
    await marker.publishAsync("q2/marker", "after", { qos: 1 });
    await waitFor(() => subBack.received.length >= 1, 5000, "the marker");
    expect([...sub.received, ...subBack.received]).toEqual([
      { topic: "q2/x", payload: "in flight" },
      { topic: "q2/marker", payload: "after" },
    ]);
    raw2.socket.destroy();
  });

  it("continues versionNumbers and persistent session identifiers across a restart, and resets after an hour offline", async () => {
    let clock = Date.now();
    const now = () => clock;
    let broker = await start({ now, versionResetMs: 60_000 });
    for (const clean of [false, false])
      await (await client(broker.tcpUrl, "dev-v", { clean })).endAsync();

    broker = await restart(broker, { now, versionResetMs: 60_000 });
    await (await client(broker.tcpUrl, "dev-v", { clean: false })).endAsync();
    await (await client(broker.tcpUrl, "dev-v", { clean: true })).endAsync();

    broker = await restart(broker, { now, versionResetMs: 60_000 });
    clock += 60_000; // offline as long as the reset window, measured from before the restart
    await (await client(broker.tcpUrl, "dev-v", { clean: false })).endAsync();

    await waitFor(() => eventsOf("dev-v", "disconnected").length >= 5, 5000, "dev-v's events");
    const connects = eventsOf("dev-v", "connected");
    expect(connects.map((p) => p.versionNumber)).toEqual([0, 1, 2, 3, 0]);
    const ids = connects.map((p) => p.sessionIdentifier);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(ids[0]); // the persistent session, across the restart
    expect(ids[3]).not.toBe(ids[0]); // a clean session
    expect(ids[4]).not.toBe(ids[0]); // the session expired with the version
    // Every connection's disconnect carries its connect's number and session.
    expect(
      eventsOf("dev-v", "disconnected").map((p) => [p.versionNumber, p.sessionIdentifier]),
    ).toEqual(connects.map((p) => [p.versionNumber, p.sessionIdentifier]));
  });

  it("announces the clients still connected when it closes, and queues those events for the absent bridge's persistent session", async () => {
    let broker = await start();
    const bridge = await recorder(broker.wsUrl, "bridge-session", { clean: false });
    await bridge.client.subscribeAsync("$aws/events/#", { qos: 1 });
    await client(broker.tcpUrl, "dev-clean");
    await client(broker.wsUrl, "dev-persistent", { clean: false, username: "alice" });
    await waitFor(() => bridge.received.length >= 2, 5000, "the connects");
    await bridge.client.endAsync(); // the bridge is away when the broker closes

    broker = await restart(broker);
    const ends = published.filter(
      (m) => m.payload.disconnectReason === "SERVER_INITIATED_DISCONNECT",
    );
    expect(ends.map((m) => m.payload.clientId).sort()).toEqual(["dev-clean", "dev-persistent"]);
    for (const end of ends) {
      const [connected] = eventsOf(String(end.payload.clientId), "connected");
      expect(end.payload).toMatchObject({
        eventType: "disconnected",
        clientInitiatedDisconnect: false,
        versionNumber: connected?.versionNumber,
        sessionIdentifier: connected?.sessionIdentifier,
        principalIdentifier: connected?.principalIdentifier,
      });
    }

    // Whatever the bridge did not get before the close waits in its session.
    const back = await recorder(broker.wsUrl, "bridge-session", { clean: false });
    const all = () => new Set([...bridge.received, ...back.received].map((m) => m.payload));
    // All but the bridge's first connect, published before it subscribed.
    const expected = published.slice(1).map((m) => JSON.stringify(m.payload));
    expect(published[0]?.payload).toMatchObject({ clientId: "bridge-session", versionNumber: 0 });
    await waitFor(() => expected.every((p) => all().has(p)), 5000, "every event at the bridge");
    // The bridge left before the close: the closing broker queued the devices' ends for it.
    expect(
      back.received
        .filter((m) => m.payload.includes("SERVER_INITIATED_DISCONNECT"))
        .map((m) => m.topic)
        .sort(),
    ).toEqual([
      "$aws/events/presence/disconnected/dev-clean",
      "$aws/events/presence/disconnected/dev-persistent",
    ]);
  });

  it("after a SIGKILL, reports the connections the dead broker held as SERVER_ERROR and keeps their numbering", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/broker.ts"], {
      env: { ...process.env, BROKER_DATA_DIR: dataDir, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const tcpUrl = await waitFor(
      () => /MQTT over TCP:\s+(\S+)/.exec(out)?.[1],
      30_000,
      "the broker process",
    );
    const bridge = await recorder(tcpUrl, "bridge-crash", { clean: false });
    await bridge.client.subscribeAsync("$aws/events/#", { qos: 1 });
    await (await client(tcpUrl, "dev-crash", { clean: false })).endAsync(); // version 0
    await client(tcpUrl, "dev-crash", { clean: false }); // version 1, open when the broker dies
    await waitFor(
      () => bridge.received.filter((m) => m.topic.includes("/connected/dev-crash")).length >= 2,
      5000,
      "dev-crash's connects",
    );
    const seen = bridge.received.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGKILL");
    await once(child, "exit");

    const broker = await start();
    const back = await recorder(broker.tcpUrl, "bridge-crash", { clean: false });
    // No subscription made again: the session carried it, and the queue.
    await waitFor(
      () => published.filter((m) => m.payload.disconnectReason === "SERVER_ERROR").length >= 1,
      5000,
      "SERVER_ERROR disconnects",
    );
    const orphaned = published.filter((m) => m.payload.disconnectReason === "SERVER_ERROR");
    // Both were open when the broker died, the bridge's own connection too.
    expect(orphaned.map((m) => [m.payload.clientId, m.payload.versionNumber]).sort()).toEqual([
      ["bridge-crash", 0],
      ["dev-crash", 1],
    ]);
    await waitFor(
      () => back.received.some((m) => m.payload === JSON.stringify(orphaned[0]?.payload)),
      5000,
      "the SERVER_ERROR events at the bridge",
    );
    const next = await client(broker.tcpUrl, "dev-crash", { clean: false });
    await waitFor(() => eventsOf("dev-crash", "connected").length >= 1, 5000, "the reconnect");
    const [reconnect] = eventsOf("dev-crash", "connected");
    const before = seen.filter((p) => p.clientId === "dev-crash" && p.eventType === "connected");
    expect(reconnect?.versionNumber).toBe(2);
    expect(before.map((p) => p.versionNumber)).toEqual([0, 1]);
    expect(reconnect?.sessionIdentifier).toBe(before[0]?.sessionIdentifier);
    await next.endAsync();
  });
  it("delivers every event live to a persistent subscriber under concurrent churn", async () => {
    // Aedes drops a message whose counter is below one the client already got;
    // the store must hand publications over in order although LevelDB
    // completes writes in any order.
    const broker = await start();
    const bridge = await recorder(broker.tcpUrl, "bridge-churn", { clean: false });
    await bridge.client.subscribeAsync("$aws/events/#", { qos: 1 });
    const from = published.length;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        for (let round = 0; round < 15; round += 1) {
          const c = await client(broker.tcpUrl, `churn-${i}`, { clean: i % 2 === 0 });
          await c.subscribeAsync(`cmd/${i}`, { qos: 1 });
          if (round % 2 === 0) await c.endAsync();
          else c.stream.destroy();
        }
      }),
    );
    const expected = () => published.slice(from).map((m) => JSON.stringify(m.payload));
    await waitFor(() => expected().length >= 20 * 15 * 3, 10_000, "the churn's events");
    const received = () => new Set(bridge.received.map((m) => m.payload));
    await waitFor(
      () => expected().every((p) => received().has(p)),
      5000,
      "every event at the subscriber",
    ).catch((error: unknown) => {
      const missing = expected().filter((p) => !received().has(p)).length;
      throw new Error(`${missing} of ${expected().length} events missing`, { cause: error });
    });
  });
});

describe("session registry store", () => {
  it("closes the connections a crashed run left open and stores changes in order", async () => {
    const saved = new Map<string, ClientRecord>();
    const writes: string[][] = [];
    const store: RegistryStore = {
      load: async () =>
        [...saved].map(([k, v]) => [k, structuredClone(v)] as [string, ClientRecord]),
      write: async (changes) => {
        writes.push(changes.map(([id]) => id));
        for (const [id, record] of changes)
          if (record) saved.set(id, record);
          else saved.delete(id);
      },
    };
    let clock = 1_000_000;
    const first = new SessionRegistry({ now: () => clock, store });
    await first.load();
    const a = first.connect("a", false, "alice");
    first.connect("b", true);
    first.disconnect("b", 0);
    await first.persisted();
    expect(writes).toEqual([["a", "b"]]);
    expect(saved.get("a")?.open).toEqual([{ ...a, principalIdentifier: "alice" }]);

    clock += 5_000; // "a" was still connected when the process died
    const second = new SessionRegistry({ now: () => clock, store });
    expect(await second.load()).toEqual([
      { clientId: "a", connection: { ...a, principalIdentifier: "alice" } },
    ]);
    await second.persisted();
    expect(saved.get("a")).toMatchObject({ open: [], lastDisconnectAt: clock });
    expect(second.connect("a", false)).toEqual({
      versionNumber: 1,
      sessionIdentifier: a.sessionIdentifier,
    });
    clock += 60 * 60 * 1000;
    second.disconnect("a", 1);
    clock += 60 * 60 * 1000;
    expect(second.prune()).toBe(2);
    await second.persisted();
    expect(saved.size).toBe(0);
  });
});

/** A bare MQTT 3.1.1 connection, for packet sequences mqtt.js will not produce. */
async function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = netConnect(Number(port), hostname);
  await once(socket, "connect");
  const packets: Packet[] = [];
  const parser = mqttParser({ protocolVersion: 4 });
  parser.on("packet", (p: Packet) => packets.push(p));
  socket.on("data", (chunk) => parser.parse(chunk));
  socket.on("error", () => undefined);
  return {
    socket,
    send: (packet: Packet) => socket.write(generate(packet)),
    next: (cmd: string) =>
      waitFor(
        () => {
          const index = packets.findIndex((p) => p.cmd === cmd);
          return index >= 0 ? packets.splice(index, 1)[0] : undefined;
        },
        5000,
        cmd,
      ),
  };
}
