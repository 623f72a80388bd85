// The bridge against the real embedded broker and a stand-in ingest endpoint
// that can fail on cue (end-to-end tests with the real app are in e2e.test.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLifecycleBroker, type LifecycleBroker } from "../broker";
import { publishAll, syntheticEvents, waitFor } from "../../test/support/broker";
import { startFakeIngest, type FakeIngest } from "../../test/support/fake-ingest";
import { startBridge, type Bridge, type BridgeOptions } from "./index";

let broker: LifecycleBroker;
let ingest: FakeIngest;
let publisher: MqttClient;
let spoolDir: string;
const bridges: Bridge[] = [];

function options(extra: Partial<BridgeOptions> = {}): BridgeOptions {
  return {
    mqttUrl: broker.wsUrl,
    ingestUrl: ingest.url,
    ingestToken: "test-token",
    spoolDir,
    clientId: "bridge-under-test",
    batchMaxWaitMs: 20,
    retryBaseMs: 20,
    retryMaxMs: 200,
    logLevel: "silent",
    ...extra,
  };
}

async function bridge(extra: Partial<BridgeOptions> = {}): Promise<Bridge> {
  const b = await startBridge(options(extra));
  bridges.push(b);
  return b;
}

/** Distinct synthetic events at ingest (the broker's own events about the bridge and publisher are left out). */
const distinct = () =>
  new Set(ingest.envelopes.filter((e) => e.payload.includes('"synthetic"')).map((e) => e.payload))
    .size;

beforeEach(async () => {
  spoolDir = mkdtempSync(path.join(tmpdir(), "bridge-"));
  broker = await startLifecycleBroker({ allowLifecyclePublish: true });
  ingest = await startFakeIngest();
  publisher = await connectAsync(broker.tcpUrl, { clientId: "publisher", reconnectPeriod: 0 });
});

afterEach(async () => {
  for (const b of bridges.splice(0)) await b.close();
  await publisher.endAsync();
  await ingest.stop();
  await broker.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

describe("bridge", () => {
  it("forwards every event in bounded batches and exposes Prometheus metrics", async () => {
    const b = await bridge({ batchMaxEvents: 100, metricsPort: 0 });
    const events = syntheticEvents(1000, "batch");
    const started = Date.now();
    await publishAll(publisher, events);
    await waitFor(() => distinct() === 1000, 10_000, "all events at ingest");
    expect(Math.max(...ingest.batches)).toBeLessThanOrEqual(100);
    expect(ingest.envelopes).toContainEqual(events[0]);
    const text = await (await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`)).text();
    expect(text).toMatch(/bridge_events_received_total 10\d\d/);
    expect(text).toMatch(/bridge_events_forwarded_total 10\d\d/);
    expect(text).toMatch(/bridge_lag_seconds \d/);
    expect(text).toMatch(/bridge_spool_events 0/);
    // When ingest last acknowledged a batch: since this test began, not in the future.
    const last = Number(/^bridge_last_forward_timestamp_seconds (\S+)$/m.exec(text)?.[1]) * 1000;
    expect(last).toBeGreaterThanOrEqual(started);
    expect(last).toBeLessThanOrEqual(Date.now());
  });

  it("retries through 503s and a vanished endpoint, then delivers everything", async () => {
    await bridge();
    let failures = 0;
    ingest.respond = (body) => (body.length > 0 && failures++ < 5 ? 503 : 200);
    await publishAll(publisher, syntheticEvents(300, "retry-a"));
    await waitFor(() => distinct() === 300, 10_000, "first wave");
    expect(failures).toBeGreaterThan(5);

    await ingest.stop(); // connection refused for a while
    await publishAll(publisher, syntheticEvents(300, "retry-b"));
    await new Promise((r) => setTimeout(r, 500));
    await ingest.start();
    await waitFor(() => distinct() === 600, 10_000, "second wave");
  });

  it("refuses to start with a wrong token, and stops loudly if the token is revoked later", async () => {
    await expect(startBridge(options({ ingestToken: "wrong" }))).rejects.toThrow(/401/);

    const b = await bridge();
    const fatal = b.fatal.then((e) => e.message);
    ingest.respond = (body) => (body.length > 0 ? 401 : 200);
    await publishAll(publisher, syntheticEvents(50, "revoked"));
    await expect(fatal).resolves.toMatch(/401/);
    const stats = await b.stats();
    // What the bridge took is kept, not dropped (the first batch may leave as soon as the
    // stream pauses, so the rest may still be in the broker's session: also kept).
    expect(stats.spooled).toBeGreaterThanOrEqual(1);
    await b.close();

    ingest.respond = () => 200;
    await bridge(); // same spool: the events are delivered after the fix
    await waitFor(() => distinct() === 50, 10_000, "spooled events after restart");
  });

  it("isolates an event ingest refuses even alone (413) and delivers the rest", async () => {
    await bridge({ batchMaxEvents: 50, mqttUrl: broker.tcpUrl }); // plain mqtt:// here
    const events = syntheticEvents(40, "split");
    const poison = events[17]!.payload;
    ingest.respond = (body) => (body.some((e) => e.payload === poison) ? 413 : 200);
    await publishAll(publisher, events);
    await waitFor(() => distinct() === 39, 10_000, "all but the poison");
    const dead = readFileSync(path.join(spoolDir, "dead-letter.jsonl"), "utf8");
    expect(dead).toContain("HTTP 413");
    expect(JSON.parse(dead.trim()).envelope).toContain("split-8");
  });

  it("flushes on close and picks up what the broker kept while it was away", async () => {
    const b = await bridge({
      batchMaxWaitMs: 60_000,
      batchLingerMs: 60_000,
      batchMaxEvents: 10_000,
    });
    await publishAll(publisher, syntheticEvents(100, "flush"));
    await waitFor(async () => (await b.stats()).received >= 100, 5000, "received");
    expect(distinct()).toBe(0); // the batch is still waiting
    await b.close();
    expect(distinct()).toBe(100);

    await publishAll(publisher, syntheticEvents(100, "away")); // persistent session queues these
    await bridge();
    await waitFor(() => distinct() === 200, 10_000, "events published while away");
  });

  it("holds acknowledgements when the spool is full instead of dropping events", async () => {
    ingest.respond = (body) => (body.length > 0 ? 503 : 200);
    const b = await bridge({ spoolMaxBytes: 20_000 });
    await publishAll(publisher, syntheticEvents(400, "full")).catch(() => undefined);
    await waitFor(async () => (await b.stats()).spooled > 50, 5000, "spool filling");
    const held = await b.stats();
    expect(held.received).toBeLessThan(400); // the broker keeps the rest
    ingest.respond = () => 200;
    await waitFor(() => distinct() === 400, 20_000, "everything after ingest recovers");
  });
  it("maps EMQX $SYS presence messages to AWS envelopes when asked to", async () => {
    await bridge({ emqx: true });
    const node = "emqx@10.0.0.1";
    const connected = {
      clientid: "emqx-dev",
      username: "u",
      ipaddress: "10.0.0.9",
      connected_at: 1764150000000,
      ts: 1764150000000,
    };
    const disconnected = {
      clientid: "emqx-dev",
      reason: "normal",
      disconnected_at: 1764150060000,
      ts: 1764150060000,
    };
    await publisher.publishAsync(
      `$SYS/brokers/${node}/clients/emqx-dev/connected`,
      JSON.stringify(connected),
      { qos: 1 },
    );
    await publisher.publishAsync(
      `$SYS/brokers/${node}/clients/emqx-dev/disconnected`,
      JSON.stringify(disconnected),
      { qos: 1 },
    );
    const mapped = await waitFor(
      () => {
        const found = ingest.envelopes.filter((e) => e.topic.endsWith("/emqx-dev"));
        return found.length === 2 ? found : undefined;
      },
      5000,
      "mapped EMQX events",
    );
    expect(mapped.map((e) => e.topic)).toEqual([
      "$aws/events/presence/connected/emqx-dev",
      "$aws/events/presence/disconnected/emqx-dev",
    ]);
    const [c, d] = mapped.map((e) => JSON.parse(e.payload) as Record<string, unknown>);
    expect(c).toMatchObject({
      eventType: "connected",
      versionNumber: 1764150000000,
      ipAddress: "10.0.0.9",
    });
    expect(d).toMatchObject({
      eventType: "disconnected",
      versionNumber: 1764150000000,
      disconnectReason: "CLIENT_INITIATED_DISCONNECT",
    });
  });
});
