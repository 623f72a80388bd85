// `npm run simulate -- --devices N [--url URL] [--seed S] [--mean-action-ms MS] [--mean-offline-ms MS]`:
// a fleet of real MQTT devices against a broker (default MQTT_URL). Ctrl-C
// disconnects them all cleanly.
import { parseArgs } from "node:util";
import { createLogger, isLogLevel } from "../lib/log/logger";
import { startFleet } from "../lib/simulator";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "50" },
    url: { type: "string" },
    seed: { type: "string", default: "1" },
    "mean-action-ms": { type: "string" },
    "mean-offline-ms": { type: "string" },
    "keepalive-seconds": { type: "string" },
  },
});
const url = values.url ?? process.env.MQTT_URL;
if (!url) {
  process.stderr.write(
    "no broker: pass --url or set MQTT_URL (e.g. the URL `npm run broker` prints)\n",
  );
  process.exit(1);
}
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const level = process.env.LOG_LEVEL ?? "info";
const fleet = await startFleet({
  mqttUrl: url,
  devices: Number(values.devices),
  seed: Number(values.seed),
  meanActionMs: number(values["mean-action-ms"]),
  meanOfflineMs: number(values["mean-offline-ms"]),
  keepaliveSeconds: number(values["keepalive-seconds"]),
  logger: createLogger({
    level: isLogLevel(level) ? level : "info",
    fields: { component: "simulator" },
  }),
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void fleet.stop().then(() => process.exit(0));
  });
}
