// Builders of AWS IoT lifecycle payloads for tests and benchmarks.
import { TOPIC_PREFIXES } from "../../lib/ingest/schemas";
import type { EventType, LifecycleEvent } from "../../lib/presence/types";

export type Payload = Record<string, unknown> & { clientId: string; eventType: EventType };

export function envelope(payload: Payload): { topic: string; payload: Payload } {
  return { topic: TOPIC_PREFIXES[payload.eventType] + payload.clientId, payload };
}

/** The AWS payload of a normalised event: absent fields are left out, as AWS does. */
export function eventEnvelope(e: LifecycleEvent): {
  topic: string;
  payload: Record<string, unknown>;
} {
  const payload = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null));
  return { topic: TOPIC_PREFIXES[e.eventType] + e.clientId, payload };
}

/** What every lifecycle payload of one test client carries. */
function base(clientId: string, timestamp: number, eventType: EventType): Payload {
  return {
    clientId,
    timestamp,
    eventType,
    sessionIdentifier: `session-${clientId}`,
    principalIdentifier: `principal-${clientId}`,
  };
}

/**
 * A builder of one connection's payloads of `eventType`: its version number,
 * then `defaults` (what AWS sends for the type), then the test's `extra`.
 */
function versioned(eventType: EventType, defaults: Record<string, unknown>) {
  return (
    clientId: string,
    timestamp: number,
    version: number,
    extra: Record<string, unknown> = {},
  ): Payload => ({
    ...base(clientId, timestamp, eventType),
    versionNumber: version,
    ...defaults,
    ...extra,
  });
}

export const connected = versioned("connected", { ipAddress: "192.0.2.10" });

export const disconnected = versioned("disconnected", {
  clientInitiatedDisconnect: false,
  disconnectReason: "CONNECTION_LOST",
});

export function subscribed(
  clientId: string,
  timestamp: number,
  topics: string[],
  extra: Record<string, unknown> = {},
): Payload {
  return { ...base(clientId, timestamp, "subscribed"), topics, ...extra };
}
