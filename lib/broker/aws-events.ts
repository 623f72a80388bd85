// AWS IoT Core lifecycle event topics and payloads, as the real broker shapes
// them (see docs/model.md, "Input: lifecycle events"). The topic table is
// ingest's (TOPIC_PREFIXES): what the broker publishes is what ingest parses.
import { TOPIC_PREFIXES } from "../ingest/schemas";
import type { EventType } from "../presence/types";

export type DisconnectReason =
  | "CLIENT_INITIATED_DISCONNECT"
  | "CLIENT_ERROR"
  | "CONNECTION_LOST"
  | "DUPLICATE_CLIENTID"
  | "FORBIDDEN_ACCESS"
  | "MQTT_KEEP_ALIVE_TIMEOUT"
  | "SERVER_ERROR"
  | "SERVER_INITIATED_DISCONNECT";

export type LifecycleEventType = EventType;

/** The five filters a consumer subscribes to; `#` because client IDs may contain `/`. */
export const LIFECYCLE_TOPIC_FILTERS: readonly string[] = Object.values(TOPIC_PREFIXES).map(
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
  return { topic: TOPIC_PREFIXES.connected + c.clientId, payload };
}

export function disconnectedEvent(
  c: Common & {
    sessionIdentifier: string;
    versionNumber: number;
    disconnectReason: DisconnectReason;
  },
): LifecycleMessage {
  return {
    topic: TOPIC_PREFIXES.disconnected + c.clientId,
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
    topic: TOPIC_PREFIXES[eventType] + c.clientId,
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
  return { topic: TOPIC_PREFIXES.connect_failed + c.clientId, payload };
}
