// A bare mqtt.js subscriber: the same broker, transport (WebSocket) and QoS as
// the bridge, doing nothing with the messages but count them. It is the
// receive-rate ceiling the bridge is compared with.
// argv: <url> <expected count> <timeout ms> <client ID prefix> [persistent]:
// only events of clients with that prefix count (the broker also reports the
// benchmark's own clients connecting). `persistent` subscribes with a
// persistent session (clean: false), as the bridge does: the broker then
// stores every QoS 1 message for the session before sending it, which a clean
// session skips. Prints {"ready":true} once subscribed, then
// {"received":n,"firstAt":ms,"lastAt":ms,"cpuMs":ms} (epoch ms; cpuMs: this
// process's CPU since it was ready, reported by itself because it exits right
// after, before a /proc reading from outside could see it) when n reaches the
// expected count or the timeout passes.
import { connectAsync } from "mqtt";
import { LIFECYCLE_TOPIC_FILTERS } from "../../lib/broker";

const [url, expectedText, timeoutText, prefix, mode] = process.argv.slice(2);
const expected = Number(expectedText);
const persistent = mode === "persistent";
const client = await connectAsync(url!, {
  clientId: `bench-bare-${process.pid}`,
  clean: !persistent,
  reconnectPeriod: 0,
});
let received = 0;
let firstAt = 0;
let lastAt = 0;
let cpuAtReady = process.cpuUsage(); // restarted once subscribed
const finish = () => {
  const cpu = process.cpuUsage(cpuAtReady);
  process.stdout.write(
    `${JSON.stringify({ received, firstAt, lastAt, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
  );
  // A persistent session outlives the connection: unsubscribe first, or the
  // broker would queue the next phase's messages for it.
  const unsubscribed = persistent
    ? client.unsubscribeAsync([...LIFECYCLE_TOPIC_FILTERS]).catch(() => undefined)
    : Promise.resolve();
  void unsubscribed.then(() => client.endAsync(true)).then(() => process.exit(0));
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
await client.subscribeAsync(
  Object.fromEntries(LIFECYCLE_TOPIC_FILTERS.map((topic) => [topic, { qos: 1 as const }])),
);
cpuAtReady = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
setTimeout(finish, Number(timeoutText));
