// AWS IoT Core lifecycle event topics and payloads, as the real broker shapes
// them (see docs/model.md, "Input: lifecycle events").

export type DisconnectReason =
  | "CLIENT_INITIATED_DISCONNECT"
  | "CLIENT_ERROR"
  | "CONNECTION_LOST"
  | "DUPLICATE_CLIENTID"
  | "FORBIDDEN_ACCESS"
  | "MQTT_KEEP_ALIVE_TIMEOUT"
  | "SERVER_ERROR"
  | "SERVER_INITIATED_DISCONNECT";

export type LifecycleEventType =
  "connected" | "disconnected" | "connect_failed" | "subscribed" | "unsubscribed";

export const LIFECYCLE_TOPIC_PREFIX: Record<LifecycleEventType, string> = {
  connected: "$aws/events/presence/connected/",
  disconnected: "$aws/events/presence/disconnected/",
  connect_failed: "$aws/events/presence/connect_failed/",
  subscribed: "$aws/events/subscriptions/subscribed/",
  unsubscribed: "$aws/events/subscriptions/unsubscribed/",
};

/** The five filters a consumer subscribes to; `#` because client IDs may contain `/`. */
export const LIFECYCLE_TOPIC_FILTERS: readonly string[] = Object.values(LIFECYCLE_TOPIC_PREFIX).map(
  (p) => `${p}#`,
);

export interface LifecycleMessage {
  topic: string;
  payload: Record<string, unknown>;
}

interface Common {
  clientId: string;
  timestamp: number;
  principalIdentifier: string;
}

/** AWS sends no lifecycle events for client IDs containing MQTT wildcards. */
export function emitsLifecycleEvents(clientId: string): boolean {
  return clientId.length > 0 && !clientId.includes("#") && !clientId.includes("+");
}

export function connectedEvent(
  c: Common & { sessionIdentifier: string; versionNumber: number; ipAddress: string | null },
): LifecycleMessage {
  const payload: Record<string, unknown> = {
    clientId: c.clientId,
    timestamp: c.timestamp,
    eventType: "connected",
    sessionIdentifier: c.sessionIdentifier,
    principalIdentifier: c.principalIdentifier,
    versionNumber: c.versionNumber,
  };
  if (c.ipAddress !== null) payload.ipAddress = c.ipAddress;
  return { topic: LIFECYCLE_TOPIC_PREFIX.connected + c.clientId, payload };
}

export function disconnectedEvent(
  c: Common & {
    sessionIdentifier: string;
    versionNumber: number;
    disconnectReason: DisconnectReason;
  },
): LifecycleMessage {
  return {
    topic: LIFECYCLE_TOPIC_PREFIX.disconnected + c.clientId,
    payload: {
      clientId: c.clientId,
      timestamp: c.timestamp,
      eventType: "disconnected",
      clientInitiatedDisconnect: c.disconnectReason === "CLIENT_INITIATED_DISCONNECT",
      sessionIdentifier: c.sessionIdentifier,
      principalIdentifier: c.principalIdentifier,
      disconnectReason: c.disconnectReason,
      versionNumber: c.versionNumber,
    },
  };
}

export function subscriptionEvent(
  eventType: "subscribed" | "unsubscribed",
  c: Common & { sessionIdentifier: string; topics: string[] },
): LifecycleMessage {
  return {
    topic: LIFECYCLE_TOPIC_PREFIX[eventType] + c.clientId,
    payload: {
      clientId: c.clientId,
      timestamp: c.timestamp,
      eventType,
      sessionIdentifier: c.sessionIdentifier,
      principalIdentifier: c.principalIdentifier,
      topics: c.topics,
    },
  };
}

export function connectFailedEvent(
  c: Common & { connectFailureReason: string; ipAddress: string | null },
): LifecycleMessage {
  const payload: Record<string, unknown> = {
    clientId: c.clientId,
    timestamp: c.timestamp,
    eventType: "connect_failed",
    connectFailureReason: c.connectFailureReason,
    principalIdentifier: c.principalIdentifier,
  };
  if (c.ipAddress !== null) payload.ipAddress = c.ipAddress;
  return { topic: LIFECYCLE_TOPIC_PREFIX.connect_failed + c.clientId, payload };
}
