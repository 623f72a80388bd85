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
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
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
  const client = await connectAsync(url, {
    clientId: `observer-${process.pid}-${Math.random()}`,
    reconnectPeriod: 0,
    ...options,
  });
  client.on("message", (topic, payload) => {
    events.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { events, client, close: () => client.endAsync() };
}

/** `n` distinct AWS-format presence events (connect/disconnect pairs), for publishing by hand. */
export function syntheticEvents(
  n: number,
  prefix = "synthetic",
): { topic: string; payload: string }[] {
  const out: { topic: string; payload: string }[] = [];
  const start = Date.now();
  for (let i = 0; i < n; i += 1) {
    const clientId = `${prefix}-${Math.floor(i / 2) % 1000}`;
    const versionNumber = Math.floor(i / 2000);
    const eventType = i % 2 === 0 ? "connected" : "disconnected";
    const payload: Record<string, unknown> = {
      clientId,
      timestamp: start + i,
      eventType,
      sessionIdentifier: `${prefix}-session-${Math.floor(i / 2)}`,
      principalIdentifier: "synthetic",
      versionNumber,
    };
    if (eventType === "disconnected") {
      payload.clientInitiatedDisconnect = true;
      payload.disconnectReason = "CLIENT_INITIATED_DISCONNECT";
    }
    out.push({
      topic: `$aws/events/presence/${eventType}/${clientId}`,
      payload: JSON.stringify(payload),
    });
  }
  return out;
}

/** Publishes with QoS 1, keeping up to `window` messages in flight. */
export async function publishAll(
  client: MqttClient,
  events: { topic: string; payload: string }[],
  window = 200,
): Promise<void> {
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events.slice(i, i + window).map((e) => client.publishAsync(e.topic, e.payload, { qos: 1 })),
    );
  }
}
