// The MQTT half of the demo: a broker (the embedded AWS-style one unless
// MQTT_URL points at a real broker), the bridge into the app, and — only on
// the embedded broker, never on someone's real one — a simulated fleet.
import { bridgeConfigFromEnv, startBridge } from "../lib/bridge";
import { startLifecycleBroker } from "../lib/broker";
import { brokerDataDirFromEnv } from "../lib/broker/process";
import type { Labels } from "../contract/labels";
import { labelsOfClients, replaceLabels } from "../lib/labels/store";
import { startFleet } from "../lib/simulator";
import { simulatedFleetLabels } from "../lib/simulator/labels";

/**
 * Labels the simulated devices that carry none yet (through the same
 * function as the API), so labels an operator changed in the demo survive a
 * restart. Returns how many were labelled.
 */
async function labelUnlabelled(wanted: Map<string, Labels>): Promise<number> {
  const existing = await labelsOfClients([...wanted.keys()]);
  const missing = new Map([...wanted].filter(([id]) => !existing.has(id)));
  if (missing.size > 0) await replaceLabels(missing);
  return missing.size;
}

export async function startDemoMqtt(opts: {
  ingestUrl: string;
  ingestToken: string;
  log: (message: string) => void;
}): Promise<{ stop: () => Promise<void>; outage?: (seconds: number) => Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  let outage: ((seconds: number) => Promise<void>) | undefined;
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let mqttUrl = process.env.MQTT_URL;
    let embeddedTcpUrl: string | undefined;
    if (!mqttUrl) {
      // BROKER_DATA_DIR (default .data/broker): sessions and version numbers survive a restart.
      const dataDir = brokerDataDirFromEnv(process.env);
      let broker = await startLifecycleBroker({ host: "127.0.0.1", dataDir });
      stops.push(() => broker.close());
      // A broker outage on demand (docs/incidents.md): every device is disconnected
      // at once, the broker comes back on the same ports, and the fleet reconnects.
      const { tcpUrl, wsUrl } = broker;
      outage = async (seconds: number) => {
        opts.log(`broker outage: stopping the embedded broker for ${seconds} s`);
        await broker.close();
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        broker = await startLifecycleBroker({
          host: "127.0.0.1",
          dataDir,
          tcpPort: Number(new URL(tcpUrl).port),
          wsPort: Number(new URL(wsUrl).port),
        });
        opts.log("broker outage over: the broker is back; devices reconnect over the next minute");
      };
      mqttUrl = broker.wsUrl;
      embeddedTcpUrl = broker.tcpUrl;
      opts.log(`embedded AWS-style broker: ${broker.wsUrl} (WebSocket), ${broker.tcpUrl} (TCP)`);
    }
    const bridge = await startBridge(
      bridgeConfigFromEnv(process.env, {
        mqttUrl,
        ingestUrl: opts.ingestUrl,
        ingestToken: opts.ingestToken,
        spoolDir: ".data/bridge-spool",
      }),
    );
    stops.push(() => bridge.close());
    void bridge.fatal.then((error) => opts.log(`bridge stopped: ${error.message}`));
    opts.log(
      `bridge: ${mqttUrl} → ${opts.ingestUrl}${bridge.metricsPort ? ` (metrics on :${bridge.metricsPort}/metrics)` : ""}`,
    );
    if (embeddedTcpUrl !== undefined) {
      const devices = Number(process.env.SIMULATED_DEVICES ?? 50);
      // A fleet where every device drops its connection every ~15 s shows
      // every device as flapping within minutes (50 of 51 after five). Most
      // demo devices are steady: an action every ~30 s, rarely one that ends
      // the connection; a fifth keep the simulator's restless default schedule.
      const restless = Math.round(devices / 5);
      const steady = await startFleet({
        mqttUrl: embeddedTcpUrl,
        devices: devices - restless,
        meanActionMs: 30_000,
        weights: { disconnect: 3, drop: 2, flap: 0, takeover: 1, hang: 1, denied: 1 },
      });
      stops.push(() => steady.stop());
      const flaky = await startFleet({
        mqttUrl: embeddedTcpUrl,
        devices: restless,
        seed: 2,
        clientIdPrefix: "sim-restless",
      });
      stops.push(() => flaky.stop());
      opts.log(`simulated fleet: ${devices} devices (${restless} restless)`);
      const labelled = await labelUnlabelled(
        new Map([
          ...simulatedFleetLabels("sim", devices - restless),
          ...simulatedFleetLabels("sim-restless", restless),
        ]),
      );
      if (labelled > 0) opts.log(`simulated fleet: site labels set on ${labelled} devices`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, outage };
}
