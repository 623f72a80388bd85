// The MQTT half of the demo: a broker (the embedded AWS-style one unless
// MQTT_URL points at a real broker), the bridge into the app, and — only on
// the embedded broker, never on someone's real one — a simulated fleet.
import { bridgeConfigFromEnv, startBridge } from "../lib/bridge";
import { startLifecycleBroker } from "../lib/broker";
import { brokerDataDirFromEnv } from "../lib/broker/process";
import { startFleet } from "../lib/simulator";

export async function startDemoMqtt(opts: {
  ingestUrl: string;
  ingestToken: string;
  log: (message: string) => void;
}): Promise<{ stop: () => Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    let mqttUrl = process.env.MQTT_URL;
    let embeddedTcpUrl: string | undefined;
    if (!mqttUrl) {
      // BROKER_DATA_DIR (default .data/broker): sessions and version numbers survive a restart.
      const broker = await startLifecycleBroker({
        host: "127.0.0.1",
        dataDir: brokerDataDirFromEnv(process.env),
      });
      stops.push(() => broker.close());
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
      const fleet = await startFleet({ mqttUrl: embeddedTcpUrl, devices });
      stops.push(() => fleet.stop());
      opts.log(`simulated fleet: ${devices} devices`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
