// The bridge over TLS: wss:// and mqtts:// to the embedded broker with a
// self-signed certificate made for the test, trusted through caFile.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLifecycleBroker, type LifecycleBroker } from "../broker";
import { waitFor } from "../../test/support/broker";
import { startFakeIngest, type FakeIngest } from "../../test/support/fake-ingest";
import { startBridge } from "./index";

let dir: string;
let broker: LifecycleBroker;
let ingest: FakeIngest;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "bridge-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  broker = await startLifecycleBroker({
    tls: {
      key: readFileSync(path.join(dir, "key.pem")),
      cert: readFileSync(path.join(dir, "cert.pem")),
    },
  });
  ingest = await startFakeIngest();
});

afterAll(async () => {
  await ingest?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("bridge over TLS", () => {
  it.each(["wsUrl", "tcpUrl"] as const)("delivers lifecycle events over %s", async (which) => {
    const url = broker[which];
    expect(url).toMatch(/^(wss|mqtts):\/\//);
    const spoolDir = mkdtempSync(path.join(dir, "spool-"));
    const bridge = await startBridge({
      mqttUrl: url,
      ingestUrl: ingest.url,
      ingestToken: "test-token",
      spoolDir,
      clientId: `tls-bridge-${which}`,
      caFile: path.join(dir, "cert.pem"),
      batchMaxWaitMs: 20,
      logLevel: "silent",
    });
    try {
      const device = await connectAsync(url, {
        clientId: `tls-device-${which}`,
        ca: readFileSync(path.join(dir, "cert.pem")),
      });
      await device.endAsync();
      await waitFor(
        () => ingest.envelopes.filter((e) => e.topic.endsWith(`/tls-device-${which}`)).length === 2,
        10_000,
        "connect and disconnect of the TLS device",
      );
    } finally {
      await bridge.close();
    }
  });
});
