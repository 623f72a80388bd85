// An embedded MQTT broker (Aedes) that behaves like AWS IoT Core for lifecycle
// events: it publishes `$aws/events/...` messages on connect, disconnect,
// subscribe, unsubscribe and refused authentication, with the versionNumber,
// sessionIdentifier and disconnectReason semantics AWS documents. It speaks
// MQTT 3.1.1 over TCP and WebSocket, on loopback and free ports by default.
// Given a data directory it keeps its state there (MQTT sessions and queued
// messages, the version numbers and session identifiers), so a restart loses
// nothing; without one it is in memory, for tests.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { Aedes, type Client, type PublishPacket } from "aedes";
import { createServer } from "aedes-server-factory";
import { silentLogger, type Logger } from "../bridge/logger";
import {
  connectedEvent,
  connectFailedEvent,
  disconnectedEvent,
  emitsLifecycleEvents,
  subscriptionEvent,
  type DisconnectReason,
  type LifecycleMessage,
} from "./aws-events";
import { SessionRegistry, type ConnectionIdentity } from "./session-registry";
import { openBrokerStore, type BrokerStore } from "./store";

export { LIFECYCLE_TOPIC_FILTERS, type LifecycleMessage } from "./aws-events";

export type Authenticator = (attempt: {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
}) => boolean | Promise<boolean>;

export interface LifecycleBrokerOptions {
  host?: string;
  /** 0 (the default) picks a free port, so a system Mosquitto on 1883 is never in the way. */
  tcpPort?: number;
  wsPort?: number;
  /** Serve `mqtts://` and `wss://` instead of `mqtt://` and `ws://`. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * Decides who may connect. The default refuses only the username `unauthorized`,
   * so a simulated fleet can produce `connect_failed` events on demand.
   */
  authenticate?: Authenticator;
  /** AWS forbids devices to publish on `$aws/events/`; tests and benchmarks may allow it. */
  allowLifecyclePublish?: boolean;
  /**
   * Where sessions, queued messages and the version/session registry are kept
   * (LevelDB; one broker per directory). Unset: in memory, lost on close.
   */
  dataDir?: string;
  /** Offline time after which versionNumber starts again at 0 (AWS: about an hour). */
  versionResetMs?: number;
  now?: () => number;
  logger?: Logger;
  /** Sees every lifecycle event the broker publishes (tests use it to count). */
  onEvent?: (message: LifecycleMessage) => void;
}

export interface LifecycleBroker {
  tcpUrl: string;
  wsUrl: string;
  /**
   * Stops accepting connections, publishes a `disconnected` event
   * (SERVER_INITIATED_DISCONNECT) for every client still connected, waits
   * until every lifecycle event is handed to its subscribers or queued for
   * their persistent sessions, then closes the connections and the store.
   */
  close(): Promise<void>;
}

export const defaultAuthenticator: Authenticator = ({ username }) => username !== "unauthorized";

/** Fields Aedes keeps on its client objects but leaves out of its type declarations. */
interface ClientInternals {
  _disconnected?: boolean;
  connDetails?: { ipAddress?: string } | null;
}
interface BrokerInternals {
  clients: Record<string, Client | undefined>;
  registerClient(client: Client): void;
}

interface ConnectionState extends ConnectionIdentity {
  principalIdentifier: string;
  ipAddress: string | null;
  /** Its disconnect was already published (the broker is closing). */
  ended?: boolean;
}

function ipOf(client: Client): string | null {
  const ip = (client as unknown as ClientInternals).connDetails?.ipAddress;
  if (!ip) return null;
  return ip.startsWith("::ffff:") ? ip.slice("::ffff:".length) : ip;
}

const SOCKET_ERRORS = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

async function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** A broker ID that sorts by start time: Aedes keys queued messages by it, so older ones come first. */
function brokerId(): string {
  return `lifecycle-${Date.now().toString(36).padStart(9, "0")}-${randomUUID().slice(0, 8)}`;
}

export async function startLifecycleBroker(
  options: LifecycleBrokerOptions = {},
): Promise<LifecycleBroker> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const authenticate = options.authenticate ?? defaultAuthenticator;
  const store: BrokerStore | undefined =
    options.dataDir !== undefined ? await openBrokerStore(options.dataDir) : undefined;
  const registry = new SessionRegistry({
    now,
    versionResetMs: options.versionResetMs,
    store: store?.registry,
    onStoreError: (error) => log.error("session registry not stored", { error }),
  });
  const connections = new Map<Client, ConnectionState>();
  const principals = new WeakMap<Client, string>();
  const reasons = new WeakMap<Client, DisconnectReason>();
  /** Lifecycle events not yet handed over to subscribers and persistent sessions. */
  const inFlight = new Set<Promise<void>>();
  /** close() was called: no new connections, connected clients get their disconnect. */
  let closing = false;
  /** Connections are being torn down: nothing more is published. */
  let stopped = false;

  let aedes: Aedes;
  let orphans: Awaited<ReturnType<SessionRegistry["load"]>>;
  try {
    orphans = await registry.load();
    aedes = await Aedes.createBroker({
      id: brokerId(),
      ...(store ? { persistence: store.persistence } : {}),
      preConnect: (_client, _packet, done) =>
        closing ? done(new Error("the broker is closing"), false) : done(null, true),
      authenticate: (client, username, password, done) => {
        Promise.resolve()
          .then(() => authenticate({ clientId: client.id, username, password }))
          .then(
            (ok) => {
              if (ok) {
                principals.set(client, username || "anonymous");
                done(null, true);
                return;
              }
              publish(
                client.id,
                connectFailedEvent({
                  clientId: client.id,
                  timestamp: now(),
                  principalIdentifier: username || "anonymous",
                  connectFailureReason: "AUTHORIZATION_FAILED",
                  ipAddress: ipOf(client),
                }),
              );
              // 5 = "not authorized" in CONNACK (MQTT 3.1.1).
              done(
                Object.assign(new Error("not authorized"), {
                  returnCode: 5,
                }),
                null,
              );
            },
            (error: unknown) => {
              log.error("authenticator failed", { clientId: client.id, error });
              done(
                Object.assign(new Error("server unavailable"), {
                  returnCode: 3,
                }),
                null,
              );
            },
          );
      },
      authorizePublish: (client, packet, done) => {
        if (client && !options.allowLifecyclePublish && packet.topic.startsWith("$aws/")) {
          // AWS answers a publish on a reserved topic by dropping the connection.
          reasons.set(client, "FORBIDDEN_ACCESS");
          done(new Error(`publishing to reserved topic ${packet.topic} is not allowed`));
          return;
        }
        done(null);
      },
    });
  } catch (error) {
    await store?.close();
    throw error;
  }

  /**
   * Publishes after the registry changes made so far are stored (in order, as
   * each waits for the latest write): an event never carries a versionNumber
   * or sessionIdentifier that a restart could hand out again.
   */
  function publish(clientId: string, message: LifecycleMessage): void {
    if (stopped || !emitsLifecycleEvents(clientId)) return;
    const done = registry.persisted().then(
      () =>
        new Promise<void>((resolve) => {
          options.onEvent?.(message);
          const packet: PublishPacket = {
            cmd: "publish",
            topic: message.topic,
            payload: Buffer.from(JSON.stringify(message.payload)),
            qos: 1,
            retain: false,
            dup: false,
          };
          // The callback comes once the message is queued for every persistent
          // session subscribed to it and handed to the connected subscribers.
          aedes.publish(packet, (error) => {
            if (error) log.warn("lifecycle event not published", { topic: message.topic, error });
            resolve();
          });
        }),
    );
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  }

  async function published(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  function announceDisconnect(client: Client, state: ConnectionState, reason: DisconnectReason) {
    state.ended = true;
    registry.disconnect(client.id, state.versionNumber);
    publish(
      client.id,
      disconnectedEvent({
        clientId: client.id,
        timestamp: now(),
        ...state,
        disconnectReason: reason,
      }),
    );
  }

  // Connections the last run never closed (it crashed or was killed): AWS
  // reports a connection the service lost as SERVER_ERROR. Their time is
  // unknown; this start is the earliest moment anyone can tell.
  for (const { clientId, connection } of orphans) {
    publish(
      clientId,
      disconnectedEvent({
        clientId,
        timestamp: now(),
        ...connection,
        disconnectReason: "SERVER_ERROR",
      }),
    );
  }

  // A second connection with a client ID already in use takes over: the old one
  // is closed inside registerClient, before the newcomer is announced.
  const internals = aedes as unknown as BrokerInternals;
  const registerClient = internals.registerClient.bind(aedes);
  internals.registerClient = (client: Client) => {
    const previous = internals.clients[client.id];
    if (previous && previous !== client) reasons.set(previous, "DUPLICATE_CLIENTID");
    registerClient(client);
  };

  aedes.on("client", (client) => {
    // One that got past preConnect just before close(): it is closed with the
    // rest, and was never announced.
    if (closing) return;
    const principalIdentifier = principals.get(client) ?? "anonymous";
    const identity = registry.connect(client.id, client.clean, principalIdentifier);
    const state: ConnectionState = { ...identity, principalIdentifier, ipAddress: ipOf(client) };
    connections.set(client, state);
    publish(client.id, connectedEvent({ clientId: client.id, timestamp: now(), ...state }));
  });

  aedes.on("keepaliveTimeout", (client) => reasons.set(client, "MQTT_KEEP_ALIVE_TIMEOUT"));
  aedes.on("clientError", (client, error) => {
    if (reasons.has(client)) return;
    const code = (error as NodeJS.ErrnoException).code;
    reasons.set(
      client,
      code !== undefined && SOCKET_ERRORS.has(code) ? "CONNECTION_LOST" : "CLIENT_ERROR",
    );
  });

  aedes.on("clientDisconnect", (client) => {
    const state = connections.get(client);
    if (!state) return;
    connections.delete(client);
    if (state.ended) return;
    const explicit = (client as unknown as ClientInternals)._disconnected === true;
    announceDisconnect(
      client,
      state,
      reasons.get(client) ?? (explicit ? "CLIENT_INITIATED_DISCONNECT" : "CONNECTION_LOST"),
    );
  });

  aedes.on("subscribe", (subscriptions, client) => {
    const state = connections.get(client);
    // Aedes writes the granted QoS back, 128 marking a refused filter.
    const topics = subscriptions.filter((s) => (s.qos as number) !== 128).map((s) => s.topic);
    if (!state || topics.length === 0) return;
    publish(
      client.id,
      subscriptionEvent("subscribed", { clientId: client.id, timestamp: now(), ...state, topics }),
    );
  });

  aedes.on("unsubscribe", (topics, client) => {
    // Aedes also "unsubscribes" a clean session's topics when it closes; AWS sends nothing then.
    const state = connections.get(client);
    if (!state || client.closed || topics.length === 0) return;
    publish(
      client.id,
      subscriptionEvent("unsubscribed", {
        clientId: client.id,
        timestamp: now(),
        ...state,
        topics,
      }),
    );
  });

  const pruneTimer = setInterval(() => registry.prune(), 60_000);
  pruneTimer.unref();

  const tls = options.tls;
  const tcpServer = createServer(aedes, tls ? { tls } : {});
  const wsServer = createServer(aedes, tls ? { ws: true, https: tls } : { ws: true }) as HttpServer;
  // Every socket, so close() can end those that never became MQTT clients.
  const sockets = new Set<Socket>();
  for (const server of [tcpServer, wsServer]) {
    server.on("error", (error) => log.error("listener error", { error }));
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
  }
  let tcpPort: number;
  let wsPort: number;
  try {
    tcpPort = await listen(tcpServer, options.tcpPort ?? 0, host);
    wsPort = await listen(wsServer, options.wsPort ?? 0, host);
  } catch (error) {
    for (const server of [tcpServer, wsServer]) if (server.listening) server.close();
    clearInterval(pruneTimer);
    await published();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await registry.persisted();
    await store?.close();
    throw error;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  const close = async () => {
    closing = true;
    clearInterval(pruneTimer);
    // No new connections from here on; the open ones are ended below.
    const listenersClosed = Promise.all(
      [tcpServer, wsServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
    for (const [client, state] of connections)
      if (!state.ended) announceDisconnect(client, state, "SERVER_INITIATED_DISCONNECT");
    await published();
    stopped = true;
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await listenersClosed;
    await registry.persisted();
    await store?.close();
    log.info("broker stopped");
  };
  const broker: LifecycleBroker = {
    tcpUrl: `${tls ? "mqtts" : "mqtt"}://${urlHost}:${tcpPort}`,
    wsUrl: `${tls ? "wss" : "ws"}://${urlHost}:${wsPort}/mqtt`,
    close: () => (closed ??= close()),
  };
  log.info("broker listening", {
    tcpUrl: broker.tcpUrl,
    wsUrl: broker.wsUrl,
    dataDir: options.dataDir ?? null,
  });
  return broker;
}
