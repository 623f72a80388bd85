// An embedded MQTT broker (Aedes) that behaves like AWS IoT Core for lifecycle
// events: it publishes `$aws/events/...` messages on connect, disconnect,
// subscribe, unsubscribe and refused authentication, with the versionNumber,
// sessionIdentifier and disconnectReason semantics AWS documents. It speaks
// MQTT 3.1.1 over TCP and WebSocket, on loopback and free ports by default.
// Given a data directory it keeps its state there (MQTT sessions and queued
// messages, the version numbers and session identifiers), so a restart loses
// nothing; without one it is in memory, for tests.
import { randomUUID } from "node:crypto";
import { Aedes, type AuthenticateHandler, type AuthorizePublishHandler } from "aedes";
import { silentLogger, type Logger } from "../log/logger";
import { connectFailedEvent, disconnectedEvent, type LifecycleMessage } from "./aws-events";
import { ClientEvents, ipOf } from "./client-events";
import { openListeners, type Listeners } from "./listeners";
import { LifecyclePublisher } from "./publisher";
import { SessionRegistry } from "./session-registry";
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

/** A broker ID that sorts by start time: Aedes keys queued messages by it, so older ones come first. */
function brokerId(): string {
  return `lifecycle-${Date.now().toString(36).padStart(9, "0")}-${randomUUID().slice(0, 8)}`;
}

/** Aedes' authenticate hook: a refused attempt is published as `connect_failed`, as AWS does. */
function authenticateHook(
  authenticate: Authenticator,
  clients: ClientEvents,
  publisher: LifecyclePublisher,
  now: () => number,
  log: Logger,
): AuthenticateHandler {
  return (client, username, password, done) => {
    Promise.resolve()
      .then(() => authenticate({ clientId: client.id, username, password }))
      .then(
        (ok) => {
          if (ok) {
            clients.principals.set(client, username || "anonymous");
            done(null, true);
            return;
          }
          publisher.publish(
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
          done(Object.assign(new Error("not authorized"), { returnCode: 5 }), null);
        },
        (error: unknown) => {
          log.error("authenticator failed", { clientId: client.id, error });
          done(Object.assign(new Error("server unavailable"), { returnCode: 3 }), null);
        },
      );
  };
}

/** AWS answers a publish on a reserved topic by dropping the connection. */
function authorizePublishHook(
  allowLifecyclePublish: boolean,
  clients: ClientEvents,
): AuthorizePublishHandler {
  return (client, packet, done) => {
    if (client && !allowLifecyclePublish && packet.topic.startsWith("$aws/")) {
      clients.reasons.set(client, "FORBIDDEN_ACCESS");
      done(new Error(`publishing to reserved topic ${packet.topic} is not allowed`));
      return;
    }
    done(null);
  };
}

/** The parts of a running broker, in the order they are started and stopped. */
interface BrokerParts {
  store: BrokerStore | undefined;
  registry: SessionRegistry;
  publisher: LifecyclePublisher;
  clients: ClientEvents;
  aedes: Aedes;
  pruneTimer: NodeJS.Timeout;
}

/** Opens the store, loads the registry and creates Aedes with the lifecycle hooks. */
async function createBroker(
  options: LifecycleBrokerOptions,
  log: Logger,
  now: () => number,
): Promise<Omit<BrokerParts, "pruneTimer"> & { orphans: Orphans }> {
  const store: BrokerStore | undefined =
    options.dataDir !== undefined ? await openBrokerStore(options.dataDir) : undefined;
  const registry = new SessionRegistry({
    now,
    versionResetMs: options.versionResetMs,
    store: store?.registry,
    onStoreError: (error) => log.error("session registry not stored", { error }),
  });
  const publisher = new LifecyclePublisher(registry, log, options.onEvent);
  const clients = new ClientEvents(registry, publisher, now);
  try {
    const orphans = await registry.load();
    const aedes = await Aedes.createBroker({
      id: brokerId(),
      ...(store ? { persistence: store.persistence } : {}),
      preConnect: (_client, _packet, done) =>
        clients.closing ? done(new Error("the broker is closing"), false) : done(null, true),
      authenticate: authenticateHook(
        options.authenticate ?? defaultAuthenticator,
        clients,
        publisher,
        now,
        log,
      ),
      authorizePublish: authorizePublishHook(options.allowLifecyclePublish === true, clients),
    });
    return { store, registry, publisher, clients, aedes, orphans };
  } catch (error) {
    await store?.close();
    throw error;
  }
}

type Orphans = Awaited<ReturnType<SessionRegistry["load"]>>;

/**
 * Connections the last run never closed (it crashed or was killed): AWS
 * reports a connection the service lost as SERVER_ERROR. Their time is
 * unknown; this start is the earliest moment anyone can tell.
 */
function publishOrphans(orphans: Orphans, publisher: LifecyclePublisher, now: () => number) {
  for (const { clientId, connection } of orphans) {
    publisher.publish(
      clientId,
      disconnectedEvent({
        clientId,
        timestamp: now(),
        ...connection,
        disconnectReason: "SERVER_ERROR",
      }),
    );
  }
}

/** Stops Aedes after every event is out, then the store; `listeners` when they were opened. */
async function stopBroker(parts: BrokerParts, listeners: Listeners | null): Promise<void> {
  const { clients, publisher, aedes, registry, store } = parts;
  clients.closing = true;
  clearInterval(parts.pruneTimer);
  // No new connections from here on; the open ones are ended below.
  const listenersClosed = listeners?.stopAccepting();
  if (listeners) clients.disconnectAll("SERVER_INITIATED_DISCONNECT");
  await publisher.published();
  if (listeners) publisher.stop();
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  listeners?.destroySockets();
  await listenersClosed;
  await registry.persisted();
  await store?.close();
}

export async function startLifecycleBroker(
  options: LifecycleBrokerOptions = {},
): Promise<LifecycleBroker> {
  const host = options.host ?? "127.0.0.1";
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const { orphans, ...created } = await createBroker(options, log, now);
  const { aedes, publisher, clients, registry } = created;
  publisher.attach(aedes);
  publishOrphans(orphans, publisher, now);
  clients.attach(aedes);

  const pruneTimer = setInterval(() => registry.prune(), 60_000);
  pruneTimer.unref();
  const parts: BrokerParts = { ...created, pruneTimer };

  const tls = options.tls;
  let listeners: Listeners;
  try {
    listeners = await openListeners(aedes, {
      host,
      tcpPort: options.tcpPort ?? 0,
      wsPort: options.wsPort ?? 0,
      tls,
      log,
    });
  } catch (error) {
    await stopBroker(parts, null);
    throw error;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  const close = async () => {
    await stopBroker(parts, listeners);
    log.info("broker stopped");
  };
  const broker: LifecycleBroker = {
    tcpUrl: `${tls ? "mqtts" : "mqtt"}://${urlHost}:${listeners.tcpPort}`,
    wsUrl: `${tls ? "wss" : "ws"}://${urlHost}:${listeners.wsPort}/mqtt`,
    close: () => (closed ??= close()),
  };
  log.info("broker listening", {
    tcpUrl: broker.tcpUrl,
    wsUrl: broker.wsUrl,
    dataDir: options.dataDir ?? null,
  });
  return broker;
}
