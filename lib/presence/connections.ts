import type { Connection, LifecycleEvent } from "./types";

/** A connection's time: its start, or its end while the connect has not arrived. */
export function connectionTime(c: Connection): number {
  // Every stored connection has at least one of the two: it was created by one of its events.
  return c.connectedAt ?? (c.disconnectedAt as number);
}

export function connectionKey(c: {
  clientId: string;
  sessionIdentifier: string | null;
  versionNumber: number | null;
}): string {
  return JSON.stringify([c.clientId, c.sessionIdentifier, c.versionNumber]);
}

/** Orders strings by UTF-16 code unit, the same order as PostgreSQL's "C" collation for BMP text. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Folds one presence event into the connection it belongs to.
 *
 * The fold is commutative and idempotent so that arrival order and duplicates
 * cannot change the result: the earliest connect wins the start, the latest
 * disconnect wins the end, and the first receipt of a disconnect starts the
 * grace period. The SQL upsert in lib/ingest mirrors these rules.
 */
export function mergeIntoConnection(
  existing: Connection | undefined,
  event: LifecycleEvent,
  receivedAt: number,
): Connection {
  if (event.eventType !== "connected" && event.eventType !== "disconnected") {
    throw new Error(`not a presence event: ${event.eventType}`);
  }
  if (event.sessionIdentifier === null || event.versionNumber === null) {
    throw new Error("presence events carry sessionIdentifier and versionNumber");
  }
  const base: Connection = existing ?? {
    clientId: event.clientId,
    sessionIdentifier: event.sessionIdentifier,
    versionNumber: event.versionNumber,
    connectedAt: null,
    disconnectedAt: null,
    disconnectReceivedAt: null,
    disconnectReason: null,
    clientInitiatedDisconnect: null,
    principalIdentifier: null,
    ipAddress: null,
    thingName: null,
  };
  if (event.eventType === "connected") {
    const wins = base.connectedAt === null || event.timestamp < base.connectedAt;
    return {
      ...base,
      connectedAt: wins ? event.timestamp : base.connectedAt,
      // The connect is the authority on who connected from where.
      principalIdentifier: wins
        ? (event.principalIdentifier ?? base.principalIdentifier)
        : (base.principalIdentifier ?? event.principalIdentifier),
      ipAddress: wins ? (event.ipAddress ?? base.ipAddress) : (base.ipAddress ?? event.ipAddress),
      thingName: wins ? (event.thingName ?? base.thingName) : (base.thingName ?? event.thingName),
    };
  }
  const wins = base.disconnectedAt === null || event.timestamp > base.disconnectedAt;
  return {
    ...base,
    disconnectedAt: wins ? event.timestamp : base.disconnectedAt,
    disconnectReceivedAt: minOrNull(base.disconnectReceivedAt, receivedAt),
    disconnectReason: wins ? event.disconnectReason : base.disconnectReason,
    clientInitiatedDisconnect: wins
      ? event.clientInitiatedDisconnect
      : base.clientInitiatedDisconnect,
    principalIdentifier: base.principalIdentifier ?? event.principalIdentifier,
    thingName: base.thingName ?? event.thingName,
  };
}

/** Oldest first: by time, then version, then session, so equal times still have one order. */
export function compareConnections(a: Connection, b: Connection): number {
  return (
    connectionTime(a) - connectionTime(b) ||
    a.versionNumber - b.versionNumber ||
    compareStrings(a.sessionIdentifier, b.sessionIdentifier)
  );
}
