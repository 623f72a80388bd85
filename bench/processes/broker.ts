// The embedded lifecycle broker in its own process, for the benchmarks: it
// lets the load generator publish on `$aws/events/...` (AWS forbids that to
// devices), and runs on its own core rather than the load generator's.
// Prints one JSON line {tcpUrl, wsUrl}; SIGTERM stops it. In memory unless
// BROKER_DATA_DIR names a directory (to measure the durable store's cost).
import { runBrokerProcess } from "../../lib/broker/process";

await runBrokerProcess({
  defaultDataDir: null,
  log: false,
  options: { allowLifecyclePublish: true },
  banner: (broker) => `${JSON.stringify({ tcpUrl: broker.tcpUrl, wsUrl: broker.wsUrl })}\n`,
});
