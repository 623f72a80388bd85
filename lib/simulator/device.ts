// One simulated device: a real mqtt.js client that connects, subscribes,
// publishes, disconnects cleanly, drops its socket, flaps, gets taken over,
// goes silent until the keep-alive expires, or fails to log in, each on a
// seeded random schedule. It also knows what the dashboard should show for
// it (online or not, current subscriptions) once the fleet is quiesced.
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "../log/logger";
import type { Random } from "./random";

export type DeviceAction =
  | "publish"
  | "subscribe"
  | "unsubscribe"
  | "disconnect"
  | "drop"
  | "flap"
  | "takeover"
  | "hang"
  | "denied";

export const DEFAULT_ACTION_WEIGHTS: Record<DeviceAction, number> = {
  publish: 30,
  subscribe: 12,
  unsubscribe: 8,
  disconnect: 15,
  drop: 12,
  flap: 6,
  takeover: 5,
  hang: 4,
  denied: 4,
};

export interface DeviceOptions {
  url: string;
  random: Random;
  /** Mean time between actions while online; offline stretches use meanOfflineMs. */
  meanActionMs: number;
  meanOfflineMs: number;
  keepaliveSeconds: number;
  /** Persistent-session devices keep subscriptions across reconnections. */
  persistent: boolean;
  weights: Record<DeviceAction, number>;
  log: Logger;
}

export interface DeviceSnapshot {
  clientId: string;
  online: boolean;
  persistent: boolean;
  subscriptions: string[];
}

/** Resolves when the connection is gone (mqtt.js's emitter is typed apart from node's). */
function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once("close", () => resolve()));
}

/** Opens one MQTT connection and reports whether the broker resumed a session. */
function open(
  url: string,
  options: IClientOptions,
): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const client = connect(url, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
    ...options,
  });
  return new Promise((resolve, reject) => {
    const settle = (error: Error | null, sessionPresent = false) => {
      client.off("connect", onConnect);
      client.off("error", onError);
      client.off("close", onClose);
      if (error) {
        client.end(true);
        reject(error);
      } else resolve({ client, sessionPresent });
    };
    const onConnect = (connack: { sessionPresent: boolean }) =>
      settle(null, connack.sessionPresent);
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error("connection closed before CONNACK"));
    client.on("connect", onConnect);
    client.on("error", onError);
    client.on("close", onClose);
  });
}

export class SimulatedDevice {
  private client: MqttClient | null = null;
  private readonly subscriptions = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private hanging: Promise<unknown> | null = null;
  private paused = false;
  private readonly topics: string[];

  constructor(
    readonly clientId: string,
    private readonly o: DeviceOptions,
  ) {
    this.topics = [
      `devices/${clientId}/cmd`,
      `devices/${clientId}/config`,
      "fleet/broadcast",
      "fleet/firmware/#",
      "region/+/alerts",
    ];
  }

  start(initialDelayMs: number): void {
    this.paused = false;
    this.schedule(initialDelayMs);
  }

  private schedule(ms: number): void {
    if (this.paused) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.busy = this.busy
        .then(() => this.step())
        .catch((error: Error) =>
          this.o.log.debug("device action failed", {
            clientId: this.clientId,
            error: error.message,
          }),
        )
        .finally(() =>
          this.schedule(
            this.o.random.delay(this.client ? this.o.meanActionMs : this.o.meanOfflineMs),
          ),
        );
    }, ms);
  }

  private async step(): Promise<void> {
    if (this.hanging) return;
    if (!this.client) return this.connect();
    const action = this.o.random.weighted(this.o.weights);
    this.o.log.debug("device action", { clientId: this.clientId, action });
    await this.act(action, this.client);
  }

  private async connect(): Promise<void> {
    // Persistent devices now and then start clean, which discards their session.
    const clean = this.o.persistent ? this.o.random.chance(0.1) : true;
    const { client, sessionPresent } = await open(this.o.url, {
      clientId: this.clientId,
      clean,
      keepalive: this.o.keepaliveSeconds,
      username: "device",
    });
    this.adopt(client, sessionPresent);
    if (this.subscriptions.size === 0) {
      const first = this.o.random.pick(this.topics);
      await client.subscribeAsync(first, { qos: 1 });
      this.subscriptions.add(first);
    }
  }

  /** Makes `client` the device's connection; a session not resumed starts with no subscriptions. */
  private adopt(client: MqttClient, sessionPresent: boolean): void {
    if (!sessionPresent) this.subscriptions.clear();
    this.client = client;
    client.on("error", () => undefined);
    client.once("close", () => {
      if (this.client === client) this.client = null;
    });
  }

  private async act(action: DeviceAction, client: MqttClient): Promise<void> {
    const r = this.o.random;
    switch (action) {
      case "publish":
        client.publish(
          `devices/${this.clientId}/telemetry`,
          JSON.stringify({ t: Date.now(), v: r.next() }),
          { qos: r.chance(0.5) ? 1 : 0 },
        );
        return;
      case "subscribe": {
        const topic = r.pick(this.topics);
        if (this.subscriptions.has(topic)) return;
        await client.subscribeAsync(topic, { qos: 1 });
        this.subscriptions.add(topic);
        return;
      }
      case "unsubscribe": {
        const topic = [...this.subscriptions][r.int(0, Math.max(0, this.subscriptions.size - 1))];
        if (topic === undefined) return;
        await client.unsubscribeAsync(topic);
        this.subscriptions.delete(topic);
        return;
      }
      case "disconnect":
        this.client = null;
        await client.endAsync();
        return;
      case "drop":
        return this.drop(client);
      case "flap": {
        for (let i = r.int(2, 4); i > 0 && !this.paused; i -= 1) {
          if (this.client) await this.drop(this.client);
          await new Promise((resolve) => setTimeout(resolve, r.int(20, 200)));
          await this.connect();
        }
        return;
      }
      case "takeover": {
        // A second connection with the same client ID: the broker drops the first.
        const oldGone = closed(client);
        const { client: newer, sessionPresent } = await open(this.o.url, {
          clientId: this.clientId,
          clean: !this.o.persistent,
          keepalive: this.o.keepaliveSeconds,
          username: "device",
        });
        this.adopt(newer, sessionPresent);
        await oldGone;
        client.end(true);
        return;
      }
      case "hang": {
        // Silent but connected: no pings, so the broker's keep-alive timer fires.
        client.keepaliveManager.destroy();
        this.hanging = closed(client).finally(() => (this.hanging = null));
        return;
      }
      case "denied":
        await open(this.o.url, {
          clientId: this.clientId,
          username: "unauthorized",
          password: "wrong",
        }).then(
          ({ client: c }) => c.end(true),
          () => undefined,
        );
        return;
    }
  }

  private async drop(client: MqttClient): Promise<void> {
    const gone = closed(client);
    client.stream.destroy();
    await gone;
  }

  /** Stops acting and lets in-flight actions and keep-alive timeouts finish. */
  async quiesce(): Promise<void> {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    await this.hanging;
  }

  snapshot(): DeviceSnapshot {
    return {
      clientId: this.clientId,
      online: this.client !== null && this.client.connected,
      persistent: this.o.persistent,
      subscriptions: [...this.subscriptions].sort(),
    };
  }

  /** Quiesces, then disconnects cleanly. */
  /** Stops acting and disconnects cleanly; a silent device is cut at once rather than left to time out. */
  async stop(): Promise<void> {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.hanging) client.end(true);
    else await client.endAsync().catch(() => client.end(true));
  }
}
