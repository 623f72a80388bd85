// The embedded lifecycle broker in its own process, for the benchmarks: it
// lets the load generator publish on `$aws/events/...` (AWS forbids that to
// devices), and runs on its own core rather than the load generator's.
// Prints one JSON line {tcpUrl, wsUrl}; SIGTERM stops it.
import { startLifecycleBroker } from "../../lib/broker";

const broker = await startLifecycleBroker({ allowLifecyclePublish: true });
process.stdout.write(`${JSON.stringify({ tcpUrl: broker.tcpUrl, wsUrl: broker.wsUrl })}\n`);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void broker.close().then(() => process.exit(0));
  });
}
