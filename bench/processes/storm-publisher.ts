// The reconnect storm's load generator, in its own process so its CPU and
// event loop are not the measuring process's: publishes bench/lib/storm-plan's
// events on the broker with QoS 1 on schedule (10 ms ticks), or as fast as the
// broker acknowledges when it falls behind (never skipping one). Each event is
// stamped with the moment it is published.
// argv: <broker tcp url> <shape as JSON>. Prints JSON lines: {ready}, then
// {progress} about once a second, then {done} with the storm it achieved.
import { connectAsync } from "mqtt";
import { ownCpuSeconds } from "../lib/process-cpu";
import {
  dueCount,
  plannedEvent,
  stormEvents,
  stormMessage,
  type StormShape,
} from "../lib/storm-plan";

/** Unacknowledged publishes at most: the broker's pace bounds the publisher's memory. */
const WINDOW = 2_000;
/** Publishes per turn of the event loop, so acknowledgements get read in between. */
const PER_TURN = 500;

const [url, shapeJson] = process.argv.slice(2);
if (url === undefined || shapeJson === undefined)
  throw new Error("usage: storm-publisher.ts <broker tcp url> <shape JSON>");
const shape = JSON.parse(shapeJson) as StormShape;
const total = stormEvents(shape);
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = await connectAsync(url, {
  clientId: `bench-storm-publisher-${process.pid}`,
  clean: true,
  reconnectPeriod: 0,
});
print({ ready: true });

const startedAt = Date.now();
let sent = 0;
let acked = 0;
let failed: Error | undefined;
/** When the last disconnect and the last event went out (ms after the start). */
let disconnectsDoneMs = Number.NaN;
let allDoneMs = Number.NaN;
/** The furthest behind schedule the publisher ever was (events due but not sent). */
let maxBehind = 0;

const progress = setInterval(
  () =>
    print({
      progress: true,
      at: Date.now(),
      sent,
      acked,
      behind: dueCount(shape, Date.now() - startedAt) - sent,
    }),
  1_000,
);

await new Promise<void>((resolve, reject) => {
  const turn = () => {
    if (failed !== undefined) return reject(failed);
    const elapsed = Date.now() - startedAt;
    const due = Math.min(total, dueCount(shape, elapsed));
    maxBehind = Math.max(maxBehind, due - sent);
    let budget = PER_TURN;
    while (sent < due && sent - acked < WINDOW && budget-- > 0) {
      const at = Date.now();
      const m = stormMessage(plannedEvent(shape, sent), at);
      sent += 1;
      if (sent === shape.devices) disconnectsDoneMs = at - startedAt;
      if (sent === total) allDoneMs = at - startedAt;
      client.publish(m.topic, m.payload, { qos: 1 }, (error) => {
        if (error) failed = error;
        else acked += 1;
      });
    }
    if (acked >= total) return resolve();
    // Behind schedule with room in the window: go on at once; else wait a tick.
    if (sent < due && sent - acked < WINDOW) setImmediate(turn);
    else setTimeout(turn, 10);
  };
  turn();
});
clearInterval(progress);
print({
  done: true,
  startedAt,
  sent,
  acked,
  disconnectsDoneMs,
  allDoneMs,
  maxBehind,
  // Its own CPU: it exits before the storm drains, when /proc no longer has it.
  cpuSeconds: ownCpuSeconds(),
});
await client.endAsync();
