// `npm run broker`: the embedded AWS-style lifecycle broker on its own.
// BROKER_HOST, BROKER_TCP_PORT and BROKER_WS_PORT choose where it listens
// (defaults: 127.0.0.1 and free ports, printed on start).
import { createLogger, isLogLevel } from "../lib/bridge/logger";
import { startLifecycleBroker } from "../lib/broker";

const level = process.env.LOG_LEVEL ?? "info";
const logger = createLogger({
  level: isLogLevel(level) ? level : "info",
  fields: { component: "broker" },
});
const port = (name: string): number | undefined => {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : Number(value);
};

const broker = await startLifecycleBroker({
  host: process.env.BROKER_HOST,
  tcpPort: port("BROKER_TCP_PORT"),
  wsPort: port("BROKER_WS_PORT"),
  logger,
});
process.stdout.write(
  `MQTT over TCP:       ${broker.tcpUrl}\nMQTT over WebSocket: ${broker.wsUrl}\n`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void broker.close().then(() => process.exit(0));
  });
}
