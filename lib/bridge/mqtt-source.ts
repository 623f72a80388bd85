// The bridge's MQTT side: one mqtt.js client with a persistent session,
// QoS 1 subscriptions, and a message handler whose completion is what releases
// the PUBACK. mqtt.js hands over the next message only after that, so the
// handler must be quick: it queues the event for the spool and returns.
//
// PUBACKs are released per event-loop turn, not per message: the first
// message of a turn corks the connection's stream, so the PUBACKs mqtt.js
// writes stay in the stream's buffer; at the end of the turn (setImmediate)
// `flush` writes every queued event to the spool with one write(2), and only
// then is the stream uncorked. No PUBACK leaves before its event is in the
// spool file. The buffered PUBACKs then go out together: one WebSocket frame
// (MQTT allows several packets per frame) or one writev(2) on TCP, instead
// of a frame and a syscall per message on each side.
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { backoffMs } from "./forwarder";
import type { Logger } from "../log/logger";

/** How the bridge proves itself to the broker and checks the broker's certificate. */
export interface MqttLogin {
  username?: string;
  password?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized?: boolean;
}

export interface MqttSourceOptions extends MqttLogin {
  url: string;
  clientId: string;
  /** "auto" tries MQTT 5 and falls back to 3.1.1 if the broker refuses it. */
  protocolVersion: 4 | 5 | "auto";
  topics: string[];
  sessionExpirySeconds: number;
  keepaliveSeconds: number;
  /** Returns the URL for the next WebSocket connection (SigV4 re-signing). */
  transformWsUrl?: () => string;
  /** Runs before every reconnection, e.g. to re-sign the URL. */
  beforeReconnect?: () => Promise<void>;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  log: Logger;
  /**
   * Takes a message: queues it for `flush` (or, returning a promise, holds
   * the stream until it could). Its PUBACK goes out after the next `flush`.
   */
  onMessage(topic: string, payload: Buffer): void | Promise<void>;
  /** Makes every message taken so far durable; throws if it cannot (then no PUBACK goes out). */
  flush(): void;
  onReconnect?(): void;
  /** Every filter was refused by the broker (an authorization problem). */
  onFatal(error: Error): void;
}

export interface MqttSource {
  readonly connected: boolean;
  /** Resolves after the first successful subscription. */
  readonly subscribed: Promise<void>;
  close(): Promise<void>;
}

const UNACCEPTABLE_PROTOCOL_VERSION = 1;

type Chunk = { chunk: Buffer | string };
const coalescing = new WeakSet<Writable>();

/**
 * Gives a stream without a vectored write (the WebSocket stream) one that
 * sends everything buffered as a single write: a single WebSocket frame.
 * Streams that have one (TCP sockets: writev) keep theirs.
 */
function coalesceWrites(stream: Writable): void {
  const s = stream as Writable & {
    _writev?: (chunks: Chunk[], cb: (error?: Error | null) => void) => void;
  };
  if (coalescing.has(stream) || typeof s._writev === "function" || s.writableObjectMode) return;
  coalescing.add(stream);
  s._writev = function (chunks: Chunk[], cb: (error?: Error | null) => void) {
    const buffers = chunks.map((c) =>
      typeof c.chunk === "string" ? Buffer.from(c.chunk) : c.chunk,
    );
    this._write(Buffer.concat(buffers), "buffer" as BufferEncoding, cb);
  };
}

function clientOptions(o: MqttSourceOptions, version: 4 | 5): IClientOptions {
  const options: IClientOptions = {
    clientId: o.clientId,
    protocolVersion: version,
    // A persistent session: the broker keeps QoS 1 events for us while we are away.
    clean: false,
    keepalive: o.keepaliveSeconds,
    // Reconnection is ours (backoff with jitter, URL re-signing before each try).
    reconnectPeriod: 0,
    resubscribe: false,
    connectTimeout: 15_000,
    username: o.username,
    password: o.password,
    ca: o.caFile ? readFileSync(o.caFile) : undefined,
    cert: o.certFile ? readFileSync(o.certFile) : undefined,
    key: o.keyFile ? readFileSync(o.keyFile) : undefined,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    transformWsUrl: o.transformWsUrl ? () => o.transformWsUrl!() : undefined,
    // mqtt.js formats a debug line or two per packet unless given a logger.
    log: () => undefined,
  };
  if (version === 5) options.properties = { sessionExpiryInterval: o.sessionExpirySeconds };
  return options;
}

/**
 * Holds the PUBACKs of one event-loop turn: `hold()` corks the connection's
 * stream on a turn's first message; at the end of the turn `o.flush()` makes
 * the turn's events durable, and only then is the stream uncorked.
 */
function pubackGate(client: MqttClient, o: MqttSourceOptions): { hold(): void } {
  let held: Writable | null = null;
  const release = () => {
    const stream = held;
    held = null;
    try {
      o.flush();
    } catch (error) {
      // Nothing of this turn is durable: no PUBACK; the broker redelivers after the reconnection.
      o.log.error("could not write to the spool; reconnecting so the broker redelivers", {
        error,
      });
      stream?.destroy();
      return;
    }
    if (stream && !stream.destroyed) stream.uncork();
  };
  return {
    hold: () => {
      const stream = client.stream as Writable | undefined;
      if (!stream || held === stream) return;
      if (held) release(); // a reconnection since: let the old stream go first
      held = stream;
      coalesceWrites(stream);
      stream.cork();
      setImmediate(release);
    },
  };
}

/** Hands each message to `o.onMessage`; its completion is what lets mqtt.js write the PUBACK. */
function takeMessages(client: MqttClient, o: MqttSourceOptions): void {
  const gate = pubackGate(client, o);
  client.handleMessage = (packet, callback) => {
    // Before anything else: the PUBACK that callback() writes must stay in the stream's buffer.
    gate.hold();
    let result: void | Promise<void>;
    try {
      result = o.onMessage(
        packet.topic,
        Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      );
    } catch (error) {
      // No PUBACK: the broker redelivers after the reconnection this forces.
      o.log.error("could not spool a message; reconnecting so the broker redelivers it", { error });
      callback(error as Error);
      client.stream?.destroy();
      return;
    }
    if (result instanceof Promise)
      result.then(
        () => {
          gate.hold(); // the turn that corked may be over
          callback();
        },
        (error: Error) => callback(error),
      );
    else callback();
  };
}

/** Subscribes (again) after every connection; `onSubscribed` after one the broker accepted. */
function subscribeOnConnect(
  client: MqttClient,
  o: MqttSourceOptions,
  link: LinkState,
  onSubscribed: () => void,
): void {
  client.on("connect", (connack) => {
    link.attempt = 0;
    o.log.info("connected to broker", {
      url: o.url,
      protocolVersion: link.version,
      sessionPresent: connack.sessionPresent,
    });
    // Subscribing again on a resumed session is harmless and picks up changed filters.
    client.subscribe(o.topics, { qos: 1 }, (error, granted) => {
      if (error) {
        o.log.error("subscribe failed", { error });
        return;
      }
      // A granted QoS (MQTT 5: reason code) of 0x80 or more is a refusal.
      const refused = (granted ?? []).filter((g) => (g.qos as number) >= 0x80);
      for (const g of refused)
        o.log.error("broker refused a subscription", { topic: g.topic, reasonCode: g.qos });
      if (refused.length > 0 && refused.length === (granted ?? []).length) {
        o.onFatal(
          new Error(
            `the broker refused every subscription (${o.topics.join(", ")}): check its authorization policy`,
          ),
        );
        return;
      }
      o.log.info("subscribed", { topics: o.topics });
      onSubscribed();
    });
  });
}

/** The connection's state shared by the parts: protocol version, reconnection attempt, closing. */
interface LinkState {
  version: 4 | 5;
  /** Reconnection attempts since the last connection; -1: retry at once. */
  attempt: number;
  closing: boolean;
  reconnectTimer: NodeJS.Timeout | null;
}

/** Reconnects with backoff after every close, falling back to MQTT 3.1.1 once if asked to. */
function reconnectOnClose(client: MqttClient, o: MqttSourceOptions, link: LinkState): void {
  client.on("error", (error: Error & { code?: number | string }) => {
    if (
      o.protocolVersion === "auto" &&
      link.version === 5 &&
      error.code === UNACCEPTABLE_PROTOCOL_VERSION
    ) {
      o.log.info("broker does not speak MQTT 5; using 3.1.1");
      link.version = 4;
      client.options.protocolVersion = 4;
      delete client.options.properties;
      link.attempt = -1; // retry at once
      return;
    }
    o.log.warn("mqtt error", { error: error.message, code: error.code });
  });

  const scheduleReconnect = () => {
    if (link.closing || link.reconnectTimer !== null) return;
    const delay =
      link.attempt < 0
        ? 0
        : backoffMs(link.attempt, o.reconnectBaseMs ?? 500, o.reconnectMaxMs ?? 30_000);
    link.attempt = Math.max(0, link.attempt) + 1;
    link.reconnectTimer = setTimeout(() => {
      link.reconnectTimer = null;
      if (link.closing) return;
      const ready = o.beforeReconnect ? o.beforeReconnect() : Promise.resolve();
      ready.then(
        () => {
          if (link.closing) return;
          o.onReconnect?.();
          client.reconnect();
        },
        (error: Error) => {
          o.log.error("could not prepare the reconnection", { error });
          scheduleReconnect();
        },
      );
    }, delay);
  };

  client.on("close", () => {
    if (link.closing) return;
    if (link.attempt >= 0)
      o.log.warn("disconnected from broker; reconnecting with backoff", {
        url: o.url.split("?")[0],
      });
    scheduleReconnect();
  });
}

export function startMqttSource(o: MqttSourceOptions): MqttSource {
  const link: LinkState = {
    version: o.protocolVersion === 4 ? 4 : 5,
    attempt: 0,
    closing: false,
    reconnectTimer: null,
  };
  let markSubscribed: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));

  const client: MqttClient = connect(o.url, clientOptions(o, link.version));
  takeMessages(client, o);
  subscribeOnConnect(client, o, link, markSubscribed);
  reconnectOnClose(client, o, link);

  return {
    get connected() {
      return client.connected;
    },
    subscribed,
    close: async () => {
      link.closing = true;
      if (link.reconnectTimer !== null) clearTimeout(link.reconnectTimer);
      // A clean DISCONNECT: the session (and events arriving meanwhile) stays with the broker.
      await client.endAsync(false).catch(() => client.end(true));
    },
  };
}
