// `npm run bridge`: the MQTT → ingest bridge on its own, configured by
// MQTT_URL, INGEST_URL, INGEST_TOKEN and BRIDGE_* (docs/bridge.md).
// SIGINT/SIGTERM stop it gracefully (flushing the spool); a refused token
// stops it with exit code 1 instead of retrying forever.
import { bridgeConfigFromEnv, BridgeConfigError, startBridge } from "../lib/bridge";

async function main(): Promise<number> {
  let bridge;
  try {
    bridge = await startBridge(bridgeConfigFromEnv(process.env));
  } catch (error) {
    const prefix =
      error instanceof BridgeConfigError ? "configuration error" : "bridge failed to start";
    process.stderr.write(`${prefix}: ${(error as Error).message}\n`);
    return 1;
  }
  const b = bridge;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      void b.close().then(() => resolve(code));
    };
    process.on("SIGINT", () => stop(0));
    process.on("SIGTERM", () => stop(0));
    void b.fatal.then(() => stop(1));
  });
}

process.exit(await main());
