// Scale-out on a real Mosquitto: two app instances and two bridge processes
// against one PostgreSQL, the bridges sharing `$share/<group>/fleet/lifecycle/#`
// (BRIDGE_TOPIC_PREFIX: Mosquitto 2.0 hands no `$`-topic to a shared
// subscription). Events are republished under the prefix in the three
// shapes an AWS IoT rule can produce. One bridge is SIGKILLed mid-stream and
// restarted on its spool and client ID; every event must be stored once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { publishAll, syntheticEvents, waitFor } from "../../test/support/broker";
import { startApp, type AppServer } from "../../test/support/app-server";
import { canonical, spawnBridge, type BridgeProcess } from "../../test/support/bridge-stack";
import { startMosquitto, type Mosquitto } from "../../test/support/mosquitto";
import { countClients } from "../clients/list";
import { onlineHistory } from "../stats/online-history";
import { rollupMatches } from "../stats/online-rollup";

const PREFIX = "shared-sub";
const TOPIC_PREFIX = "fleet/lifecycle";
const METRICS_TOKEN = "shared-sub-metrics";

let mosquitto: Mosquitto;
let apps: AppServer[] = [];
let pool: pg.Pool;
let publisher: MqttClient;
const spools: string[] = [];
const bridges: BridgeProcess[] = [];

beforeAll(async () => {
  const databaseUrl = inject("databaseUrl");
  mosquitto = await startMosquitto();
  apps = await Promise.all([0, 1].map(() => startApp({ databaseUrl, env: { METRICS_TOKEN } })));
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  publisher = await connectAsync(mosquitto.tcpUrl, { clientId: "shared-sub-publisher" });
});

afterAll(async () => {
  publisher?.end(true);
  await Promise.all(bridges.map((b) => b.stop("SIGKILL")));
  await mosquitto?.stop();
  await Promise.all(apps.map((a) => a.stop()));
  await pool?.end();
  for (const dir of spools) rmSync(dir, { recursive: true, force: true });
});

/** The three topics a republish rule can produce, in turn: `${topic()}`, `presence/<type>/<id>`, payload only. */
function republished(e: { topic: string; payload: string }, i: number) {
  const suffix = [e.topic, e.topic.slice("$aws/events/".length), "event"][i % 3]!;
  return { topic: `${TOPIC_PREFIX}/${suffix}`, payload: e.payload };
}

async function accepted(app: AppServer): Promise<number> {
  const response = await fetch(`${app.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.text();
  const line = /fleet_ingest_events_total\{result="accepted"\} (\d+)/.exec(text);
  return Number(line?.[1] ?? 0);
}

async function storedRows(): Promise<string[]> {
  const { rows } = await pool.query<{ raw: unknown }>(
    "SELECT raw FROM lifecycle_event WHERE client_id LIKE $1",
    [`${PREFIX}%`],
  );
  return rows.map((r) => canonical(r.raw));
}

describe("two bridges sharing a subscription on Mosquitto", () => {
  it("stores every event once across a SIGKILL", { timeout: 120_000 }, async () => {
    const bridgeEnv = (i: number) => {
      spools[i] ??= mkdtempSync(path.join(tmpdir(), `shared-sub-spool-${i}-`));
      return {
        MQTT_URL: mosquitto.tcpUrl,
        INGEST_URL: `${apps[i]!.url}/api/ingest`,
        INGEST_TOKEN: "test-token",
        BRIDGE_SPOOL_DIR: spools[i]!,
        BRIDGE_CLIENT_ID: `shared-sub-bridge-${i}`,
        BRIDGE_SHARE_GROUP: "bridges",
        BRIDGE_TOPIC_PREFIX: TOPIC_PREFIX,
        BRIDGE_MQTT_VERSION: "5",
        BRIDGE_SESSION_EXPIRY_SECONDS: "600",
        BRIDGE_BATCH_MAX_WAIT_MS: "50",
        BRIDGE_RETRY_BASE_MS: "100",
      };
    };
    bridges.push(spawnBridge(bridgeEnv(0)), spawnBridge(bridgeEnv(1)));
    await Promise.all(bridges.map((b) => b.started()));

    const events = syntheticEvents(9000, PREFIX).map(republished);
    const published = new Set(events.map((e) => canonical(JSON.parse(e.payload))));
    // Paced, so that the kill lands while events are still arriving.
    const publishing = (async () => {
      for (let i = 0; i < events.length; i += 300) {
        await publishAll(publisher, events.slice(i, i + 300));
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    await waitFor(async () => (await storedRows()).length > 1500, 30_000, "events flowing");
    await bridges[0]!.stop("SIGKILL");
    // The broker keeps routing some events to the killed bridge's session meanwhile.
    await new Promise((r) => setTimeout(r, 1500));
    bridges[0] = spawnBridge(bridgeEnv(0));
    await bridges[0].started();
    await publishing;

    let rows: string[] = [];
    await waitFor(
      async () => {
        rows = await storedRows();
        return rows.length >= published.size;
      },
      60_000,
      "every published event stored",
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${rows.length}/${published.size}`);
    });
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.every((r) => published.has(r))).toBe(true);
    expect(rows.length).toBe(published.size);
    // Both bridges, each through its own app instance, carried part of the stream.
    const perApp = await Promise.all(apps.map(accepted));
    process.stdout.write(
      `shared subscription: ${published.size} published, ${rows.length} stored once each; accepted per app ${perApp.join(", ")}\n`,
    );
    for (const n of perApp) expect(n).toBeGreaterThan(0);
    // The chart's rollup and the fleet counters, kept by both instances at
    // once (each built it at start, one waiting for the other), agree with
    // the tables they summarise.
    expect(await rollupMatches()).toBe(true);
    const now = new Date();
    for (const range of ["24h", "7d"] as const)
      expect(await onlineHistory({ range }, now, "rollup")).toEqual(
        await onlineHistory({ range }, now, "connections"),
      );
    expect(await countClients(undefined, now)).toEqual(await countClients(undefined, now, "scan"));
  });
});
