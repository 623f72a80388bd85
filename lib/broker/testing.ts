// Helpers shared by the broker, bridge and simulator tests.
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";

export interface ObservedEvent {
  topic: string;
  payload: Record<string, unknown>;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An mqtt.js subscriber that records every lifecycle event it receives. */
export async function observeEvents(
  url: string,
  filter = "$aws/events/#",
  options: IClientOptions = {},
): Promise<{ events: ObservedEvent[]; client: MqttClient; close(): Promise<void> }> {
  const events: ObservedEvent[] = [];
  const client = await connectAsync(url, { clientId: `observer-${process.pid}-${Math.random()}`, reconnectPeriod: 0, ...options });
  client.on("message", (topic, payload) => {
    events.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { events, client, close: () => client.endAsync() };
}
