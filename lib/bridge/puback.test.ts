// The bridge's acknowledgement invariant: no PUBACK reaches the broker before
// its event is in the spool file. The bridge coalesces its spool writes (one
// write(2) per event-loop turn) and releases a turn's PUBACKs after that
// write; these tests watch the PUBACKs arrive at a plain Aedes broker and
// look in the spool at that moment, including right after a SIGKILL.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Aedes, type Client, type PublishPacket, type PubrelPacket } from "aedes";
import { createServer } from "aedes-server-factory";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publishAll, syntheticEvents, waitFor } from "../../test/support/broker";
import { startFakeIngest, type FakeIngest } from "../../test/support/fake-ingest";
import { startBridge } from "./index";
import { spawnBridge } from "../../test/support/bridge-stack";

let aedes: Aedes;
let tcp: NetServer;
let ws: HttpServer;
let urls: { tcp: string; ws: string };
let ingest: FakeIngest;
let publisher: MqttClient;
let spoolDir: string;
/** Payloads the broker got a PUBACK for from the bridge, in order. */
let acked: string[];
let onAck: (payload: string) => void;

const BRIDGE_ID = "bridge-puback-test";

async function listen(server: NetServer | HttpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeEach(async () => {
  aedes = await Aedes.createBroker();
  acked = [];
  onAck = () => undefined;
  aedes.on("ack", (packet: PublishPacket | PubrelPacket | undefined, client: Client) => {
    if (client?.id !== BRIDGE_ID || !packet || !("payload" in packet)) return;
    const payload = packet.payload.toString();
    acked.push(payload);
    onAck(payload);
  });
  tcp = createServer(aedes);
  ws = createServer(aedes, { ws: true }) as HttpServer;
  urls = {
    tcp: `mqtt://127.0.0.1:${await listen(tcp)}`,
    ws: `ws://127.0.0.1:${await listen(ws)}`,
  };
  ingest = await startFakeIngest({ token: "test-token" });
  publisher = await connectAsync(urls.tcp, { clientId: "puback-publisher", reconnectPeriod: 0 });
  spoolDir = mkdtempSync(path.join(tmpdir(), "puback-spool-"));
});

afterEach(async () => {
  await publisher?.endAsync(true);
  await ingest?.stop();
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise<void>((resolve) => tcp.close(() => resolve()));
  ws.closeAllConnections();
  await new Promise<void>((resolve) => ws.close(() => resolve()));
  rmSync(spoolDir, { recursive: true, force: true });
});

/** The payload texts of the complete records in the spool's segment files. */
function spooledPayloads(): Set<string> {
  const out = new Set<string>();
  for (const name of readdirSync(spoolDir)
    .filter((f) => f.startsWith("segment-"))
    .sort()) {
    const text = readFileSync(path.join(spoolDir, name), "utf8");
    const lines = text.split("\n");
    lines.pop(); // after the last newline: nothing, or a record torn by the kill (never acknowledged)
    for (const line of lines) {
      const envelope = JSON.parse(line.slice(line.indexOf(" ") + 1)) as { payload: string };
      out.add(envelope.payload);
    }
  }
  return out;
}

describe("PUBACK after the spool write", () => {
  it("every PUBACK the broker receives is for an event already in the spool file", async () => {
    ingest.respond = () => 503; // nothing leaves the spool meanwhile
    const bridge = await startBridge({
      mqttUrl: urls.ws,
      ingestUrl: ingest.url,
      ingestToken: "test-token",
      spoolDir,
      clientId: BRIDGE_ID,
      protocolVersion: 4,
      retryBaseMs: 50,
      retryMaxMs: 100,
      logLevel: "silent",
    });
    const missing: string[] = [];
    onAck = (payload) => {
      // In the same process, synchronously, when the broker handles the PUBACK.
      if (!spooledPayloads().has(payload)) missing.push(payload);
    };
    try {
      const events = syntheticEvents(600, "puback-inproc");
      await publishAll(publisher, events);
      await waitFor(() => acked.length >= events.length, 20_000, "every event acknowledged");
      expect(missing).toEqual([]);
      // Several events per spool write and per PUBACK frame, yet each one acknowledged once.
      expect(new Set(acked).size).toBe(events.length);
    } finally {
      ingest.respond = () => 200;
      await bridge.close();
    }
  });

  it(
    "a SIGKILL right after a coalesced write loses nothing acknowledged",
    { timeout: 60_000 },
    async () => {
      ingest.respond = () => 503;
      const env = {
        MQTT_URL: urls.ws,
        INGEST_URL: ingest.url,
        INGEST_TOKEN: "test-token",
        BRIDGE_SPOOL_DIR: spoolDir,
        BRIDGE_CLIENT_ID: BRIDGE_ID,
        BRIDGE_MQTT_VERSION: "4",
        BRIDGE_BATCH_MAX_WAIT_MS: "20",
        BRIDGE_RETRY_BASE_MS: "50",
        BRIDGE_RETRY_MAX_MS: "100",
      };
      const first = spawnBridge(env);
      await first.started();
      const events = syntheticEvents(3000, "puback-kill");
      // Killed from inside the broker, the moment the 700th PUBACK is handled: mid-stream.
      onAck = () => {
        if (acked.length === 700) first.child.kill("SIGKILL");
      };
      const publishing = publishAll(publisher, events);
      await new Promise((resolve) => first.child.once("exit", resolve));
      const ackedBeforeDeath = [...acked];
      const spooled = spooledPayloads();
      expect(ackedBeforeDeath.length).toBeGreaterThanOrEqual(700);
      expect(ackedBeforeDeath.filter((p) => !spooled.has(p))).toEqual([]);

      // The rest waits in the broker's session for the next start.
      onAck = () => undefined;
      ingest.respond = () => 200;
      const second = spawnBridge(env);
      try {
        await second.started();
        await publishing;
        const want = new Set(events.map((e) => e.payload));
        await waitFor(
          () => {
            const got = new Set(ingest.envelopes.map((e) => e.payload));
            return [...want].every((p) => got.has(p));
          },
          30_000,
          "every event delivered after the restart",
        );
      } finally {
        await second.stop("SIGTERM");
      }
    },
  );
});
