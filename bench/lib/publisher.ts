// Load generators on the broker: as fast as the broker takes them (a window of
// unacknowledged QoS 1 publishes), or at a fixed rate for a fixed time.
import { connectAsync, type MqttClient } from "mqtt";
import type { Envelope } from "./workload";

export interface Message {
  topic: string;
  payload: string;
}

export function toMessage(e: Envelope): Message {
  return { topic: e.topic, payload: JSON.stringify(e.payload) };
}

export async function connectPublisher(url: string): Promise<MqttClient> {
  return connectAsync(url, {
    clientId: `bench-publisher-${process.pid}-${Date.now()}`,
    clean: true,
    reconnectPeriod: 0,
  });
}

/** Publishes all messages with QoS 1, keeping up to `window` unacknowledged; resolves when all are acknowledged. */
export function publishAll(
  client: MqttClient,
  messages: readonly Message[],
  window = 500,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let acked = 0;
    let failed = false;
    const pump = () => {
      while (next < messages.length && next - acked < window) {
        const m = messages[next++]!;
        client.publish(m.topic, m.payload, { qos: 1 }, (error) => {
          if (failed) return;
          if (error) {
            failed = true;
            reject(error);
            return;
          }
          acked += 1;
          if (acked === messages.length) resolve();
          else pump();
        });
      }
    };
    if (messages.length === 0) resolve();
    else pump();
  });
}

/**
 * Publishes `make(i)` at `rate` messages/s for `seconds`, in 10 ms ticks (so
 * the offered load is smooth, not bursts of a second). `onPublish` gets the
 * send time of each. Resolves with how many were sent and how many the broker
 * acknowledged. Stops early if more than `maxUnacked` pile up (the broker
 * cannot keep up: the rate is then not sustained, which the caller reports).
 */
export async function publishAtRate(
  client: MqttClient,
  rate: number,
  seconds: number,
  make: (i: number) => Message,
  onPublish: (i: number, at: number) => void,
  maxUnacked = 50_000,
): Promise<{ sent: number; acked: number; seconds: number; stalled: boolean }> {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  let acked = 0;
  let stalled = false;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate));
      while (sent < due) {
        if (sent - acked > maxUnacked) {
          stalled = true;
          break;
        }
        const i = sent++;
        const m = make(i);
        onPublish(i, performance.timeOrigin + performance.now());
        client.publish(m.topic, m.payload, { qos: 1 }, () => {
          acked += 1;
        });
      }
      if (sent >= total || stalled) {
        resolve();
        return;
      }
      setTimeout(tick, 10);
    };
    tick();
  });
  const wait = Date.now() + 10_000;
  while (acked < sent && Date.now() < wait) await new Promise((r) => setTimeout(r, 20));
  return { sent, acked, seconds: (performance.now() - started) / 1000, stalled };
}
