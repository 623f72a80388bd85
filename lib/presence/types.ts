// Normalised lifecycle events and the state derived from them. No I/O here:
// this module is shared by the ingest path, the read API and the tests.

export const EVENT_TYPES = [
  "connected",
  "disconnected",
  "subscribed",
  "unsubscribed",
  "connect_failed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type PresenceStatus = "online" | "pending" | "offline";

/** One validated lifecycle event, as the model consumes it. Times are ms since epoch. */
export interface LifecycleEvent {
  eventType: EventType;
  clientId: string;
  timestamp: number;
  /** Present on every event type except (sometimes) connect_failed. */
  sessionIdentifier: string | null;
  principalIdentifier: string | null;
  /** Presence events only (connected/disconnected); may be absent on connect_failed. */
  versionNumber: number | null;
  clientInitiatedDisconnect: boolean | null;
  disconnectReason: string | null;
  ipAddress: string | null;
  thingName: string | null;
  /** Subscription events only. */
  topics: string[] | null;
  connectFailureReason: string | null;
}

/** An event together with the server time at which it was received. */
export interface ReceivedEvent {
  event: LifecycleEvent;
  receivedAt: number;
}

/** One connection: keyed by (clientId, sessionIdentifier, versionNumber). */
export interface Connection {
  clientId: string;
  sessionIdentifier: string;
  versionNumber: number;
  connectedAt: number | null;
  disconnectedAt: number | null;
  /** Server clock: first arrival of this connection's disconnect. Drives the grace period. */
  disconnectReceivedAt: number | null;
  disconnectReason: string | null;
  clientInitiatedDisconnect: boolean | null;
  principalIdentifier: string | null;
  ipAddress: string | null;
  thingName: string | null;
}

/** The winning subscription event of one (clientId, topic). */
export interface SubscriptionState {
  clientId: string;
  topic: string;
  eventType: "subscribed" | "unsubscribed";
  timestamp: number;
  sessionIdentifier: string;
}

export interface PresenceConfig {
  /** OFFLINE_GRACE_SECONDS, in ms. */
  offlineGraceMs: number;
  /** FLAP_THRESHOLD: disconnects within the flap window that make a client flapping. */
  flapThreshold: number;
  /** FLAP_WINDOW_SECONDS, in ms. */
  flapWindowMs: number;
  /** VERSION_RESET_WINDOW_SECONDS, in ms. */
  versionResetWindowMs: number;
}

/** Timestamps are accurate to ±2 min (AWS): a disconnect older than grace + this is a replayed backlog. */
export const TIMESTAMP_TOLERANCE_MS = 120_000;

export const DEFAULT_PRESENCE_CONFIG: PresenceConfig = {
  offlineGraceMs: 30_000,
  flapThreshold: 5,
  flapWindowMs: 600_000,
  versionResetWindowMs: 600_000,
};

/** A connection as timelines show it: a missing end may be inferred from the next connection. */
export interface TimelineConnection extends Connection {
  /** True when the disconnect never arrived and the connection is not current. */
  endInferred: boolean;
  /** The end timelines draw: the real disconnect, or the inferred one (null if unknown). */
  endedAt: number | null;
}
