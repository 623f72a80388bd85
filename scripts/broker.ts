// `npm run broker`: the embedded AWS-style lifecycle broker on its own.
// BROKER_HOST, BROKER_TCP_PORT and BROKER_WS_PORT choose where it listens
// (defaults: 127.0.0.1 and free ports, printed on start); BROKER_DATA_DIR
// where it keeps sessions, queued messages and version numbers across
// restarts (default .data/broker; `:memory:` for none).
import { DEFAULT_BROKER_DATA_DIR, runBrokerProcess } from "../lib/broker/process";

await runBrokerProcess({
  defaultDataDir: DEFAULT_BROKER_DATA_DIR,
  banner: (broker, dataDir) =>
    `MQTT over TCP:       ${broker.tcpUrl}\nMQTT over WebSocket: ${broker.wsUrl}\n` +
    `State:               ${dataDir ?? "in memory (lost on exit)"}\n`,
});
