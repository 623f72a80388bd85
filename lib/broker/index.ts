// An embedded MQTT broker (Aedes) that behaves like AWS IoT Core for lifecycle
// events: it publishes `$aws/events/...` messages on connect, disconnect,
// subscribe, unsubscribe and refused authentication, with the versionNumber,
// sessionIdentifier and disconnectReason semantics AWS documents. It speaks
// MQTT 3.1.1 over TCP and WebSocket, on loopback and free ports by default.
import { once } from "node:events";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from "aedes";
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

export {
  LIFECYCLE_TOPIC_FILTERS,
  LIFECYCLE_TOPIC_PREFIX,
  type LifecycleMessage,
} from "./aws-events";

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

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}

export async function startLifecycleBroker(
  options: LifecycleBrokerOptions = {},
): Promise<LifecycleBroker> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const authenticate = options.authenticate ?? defaultAuthenticator;
  const registry = new SessionRegistry({ now, versionResetMs: options.versionResetMs });
  const connections = new WeakMap<Client, ConnectionState>();
  const principals = new WeakMap<Client, string>();
  const reasons = new WeakMap<Client, DisconnectReason>();
  let closing = false;

  const aedes = await Aedes.createBroker({
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
              }) as unknown as AuthenticateError,
              null,
            );
          },
          (error: unknown) => {
            log.error("authenticator failed", { clientId: client.id, error });
            done(
              Object.assign(new Error("server unavailable"), {
                returnCode: 3,
              }) as unknown as AuthenticateError,
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

  function publish(clientId: string, message: LifecycleMessage): void {
    if (closing || !emitsLifecycleEvents(clientId)) return;
    options.onEvent?.(message);
    const packet: PublishPacket = {
      cmd: "publish",
      topic: message.topic,
      payload: Buffer.from(JSON.stringify(message.payload)),
      qos: 1,
      retain: false,
      dup: false,
    };
    aedes.publish(packet, (error) => {
      if (error) log.warn("lifecycle event not published", { topic: message.topic, error });
    });
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
    const identity = registry.connect(client.id, client.clean);
    const state: ConnectionState = {
      ...identity,
      principalIdentifier: principals.get(client) ?? "anonymous",
      ipAddress: ipOf(client),
    };
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
    registry.disconnect(client.id);
    const explicit = (client as unknown as ClientInternals)._disconnected === true;
    const disconnectReason: DisconnectReason =
      reasons.get(client) ??
      (closing
        ? "SERVER_INITIATED_DISCONNECT"
        : explicit
          ? "CLIENT_INITIATED_DISCONNECT"
          : "CONNECTION_LOST");
    publish(
      client.id,
      disconnectedEvent({ clientId: client.id, timestamp: now(), ...state, disconnectReason }),
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
  const tcpServer = createServer(aedes, tls ? { tls } : {}) as NetServer;
  const wsServer = createServer(aedes, tls ? { ws: true, https: tls } : { ws: true }) as HttpServer;
  for (const server of [tcpServer, wsServer])
    server.on("error", (error) => log.error("listener error", { error }));
  const tcpPort = await listen(tcpServer, options.tcpPort ?? 0, host);
  const wsPort = await listen(wsServer, options.wsPort ?? 0, host);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const broker: LifecycleBroker = {
    tcpUrl: `${tls ? "mqtts" : "mqtt"}://${urlHost}:${tcpPort}`,
    wsUrl: `${tls ? "wss" : "ws"}://${urlHost}:${wsPort}/mqtt`,
    close: async () => {
      if (closing) return;
      closing = true;
      clearInterval(pruneTimer);
      const servers = Promise.all([closeServer(tcpServer), closeServer(wsServer)]);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await servers;
      log.info("broker stopped");
    },
  };
  log.info("broker listening", { tcpUrl: broker.tcpUrl, wsUrl: broker.wsUrl });
  return broker;
}
