// A bare mqtt.js subscriber: the same broker, transport (WebSocket) and QoS as
// the bridge, doing nothing with the messages but count them. It is the
// receive-rate ceiling the bridge is compared with.
// argv: <url> <expected count> <timeout ms> <client ID prefix>: only events of
// clients with that prefix count (the broker also reports the benchmark's own
// clients connecting). Prints {"ready":true} once
// subscribed, then {"received":n,"firstAt":ms,"lastAt":ms} (epoch ms) when n
// reaches the expected count or the timeout passes.
import { connectAsync } from "mqtt";
import { LIFECYCLE_TOPIC_FILTERS } from "../../lib/broker";

const [url, expectedText, timeoutText, prefix] = process.argv.slice(2);
const expected = Number(expectedText);
const client = await connectAsync(url!, { clientId: `bench-bare-${process.pid}`, clean: true, reconnectPeriod: 0 });
let received = 0;
let firstAt = 0;
let lastAt = 0;
const finish = () => {
  process.stdout.write(`${JSON.stringify({ received, firstAt, lastAt })}\n`);
  void client.endAsync(true).then(() => process.exit(0));
};
const marker = `/${prefix}`;
client.on("message", (topic) => {
  if (!topic.includes(marker)) return;
  const now = performance.timeOrigin + performance.now();
  if (received === 0) firstAt = now;
  received += 1;
  lastAt = now;
  if (received === expected) finish();
});
await client.subscribeAsync(Object.fromEntries(LIFECYCLE_TOPIC_FILTERS.map((topic) => [topic, { qos: 1 as const }])));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
setTimeout(finish, Number(timeoutText));
