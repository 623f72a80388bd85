// What the broker announces about its clients: connected, disconnected (with
// the reason AWS would give), subscribed and unsubscribed, read off Aedes'
// client events. Each connection's identity (versionNumber, session) comes
// from the session registry.
import type { Aedes, Client } from "aedes";
import {
  connectedEvent,
  disconnectedEvent,
  subscriptionEvent,
  type DisconnectReason,
} from "./aws-events";
import type { LifecyclePublisher } from "./publisher";
import type { ConnectionIdentity, SessionRegistry } from "./session-registry";

/** Fields Aedes keeps on its client objects but leaves out of its type declarations. */
interface ClientInternals {
  _disconnected?: boolean;
  connDetails?: { ipAddress?: string } | null;
}
interface BrokerInternals {
  clients: Record<string, Client | undefined>;
  registerClient(client: Client): void;
}

export interface ConnectionState extends ConnectionIdentity {
  principalIdentifier: string;
  ipAddress: string | null;
  /** Its disconnect was already published (the broker is closing). */
  ended?: boolean;
}

export function ipOf(client: Client): string | null {
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

export class ClientEvents {
  readonly connections = new Map<Client, ConnectionState>();
  /** Who authenticated as whom (set by the authenticate hook). */
  readonly principals = new WeakMap<Client, string>();
  /** Why a client is about to go, where something told us before it went. */
  readonly reasons = new WeakMap<Client, DisconnectReason>();
  /** close() was called: clients that slip in are closed with the rest, never announced. */
  closing = false;

  constructor(
    private readonly registry: SessionRegistry,
    private readonly publisher: LifecyclePublisher,
    private readonly now: () => number,
  ) {}

  announceDisconnect(client: Client, state: ConnectionState, reason: DisconnectReason): void {
    state.ended = true;
    this.registry.disconnect(client.id, state.versionNumber);
    this.publisher.publish(
      client.id,
      disconnectedEvent({
        clientId: client.id,
        timestamp: this.now(),
        ...state,
        disconnectReason: reason,
      }),
    );
  }

  /** Every client still connected gets its disconnect (the broker is closing). */
  disconnectAll(reason: DisconnectReason): void {
    for (const [client, state] of this.connections)
      if (!state.ended) this.announceDisconnect(client, state, reason);
  }

  attach(aedes: Aedes): void {
    const { connections, reasons, registry, publisher, now } = this;
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
      if (this.closing) return;
      const principalIdentifier = this.principals.get(client) ?? "anonymous";
      const identity = registry.connect(client.id, client.clean, principalIdentifier);
      const state: ConnectionState = { ...identity, principalIdentifier, ipAddress: ipOf(client) };
      connections.set(client, state);
      publisher.publish(
        client.id,
        connectedEvent({ clientId: client.id, timestamp: now(), ...state }),
      );
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
      this.announceDisconnect(
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
      publisher.publish(
        client.id,
        subscriptionEvent("subscribed", {
          clientId: client.id,
          timestamp: now(),
          ...state,
          topics,
        }),
      );
    });

    aedes.on("unsubscribe", (topics, client) => {
      // Aedes also "unsubscribes" a clean session's topics when it closes; AWS sends nothing then.
      const state = connections.get(client);
      if (!state || client.closed || topics.length === 0) return;
      publisher.publish(
        client.id,
        subscriptionEvent("unsubscribed", {
          clientId: client.id,
          timestamp: now(),
          ...state,
          topics,
        }),
      );
    });
  }
}
