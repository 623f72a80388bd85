import {
  TIMESTAMP_TOLERANCE_MS,
  type Connection,
  type PresenceConfig,
  type PresenceStatus,
} from "./types";

/**
 * The instant a disconnected client stops being `pending`, or null when the
 * current connection is still open. Pending lasts the grace period from the
 * server's receipt, but never past grace + timestamp tolerance after the
 * disconnect's own timestamp: a replayed backlog is offline at once.
 */
export function pendingUntil(
  current: Connection | undefined,
  config: PresenceConfig,
): number | null {
  if (current === undefined || current.disconnectedAt === null) return null;
  const received = current.disconnectReceivedAt ?? current.disconnectedAt;
  return Math.min(
    received + config.offlineGraceMs,
    current.disconnectedAt + config.offlineGraceMs + TIMESTAMP_TOLERANCE_MS,
  );
}

/** Status at read time: never stored, so no timer is needed to expire `pending`. */
export function presenceStatus(
  current: Connection | undefined,
  now: number,
  config: PresenceConfig,
): PresenceStatus {
  if (current === undefined) return "offline";
  if (current.disconnectedAt === null) return "online";
  const until = pendingUntil(current, config) as number;
  return now < until ? "pending" : "offline";
}

/** At least `flapThreshold` disconnects (by event time) within the flap window before `now`. */
export function isFlapping(
  connections: readonly Connection[],
  now: number,
  config: PresenceConfig,
): boolean {
  let count = 0;
  for (const c of connections) {
    if (c.disconnectedAt !== null && c.disconnectedAt > now - config.flapWindowMs) count += 1;
  }
  return flapsAtCount(count, config);
}

/** The flapping rule on a count of disconnects already taken within the flap window. */
export function flapsAtCount(recentDisconnects: number, config: PresenceConfig): boolean {
  return recentDisconnects >= config.flapThreshold;
}

/** When the current status began: the connect while online, the disconnect otherwise. */
export function statusSince(current: Connection | undefined): number | null {
  if (current === undefined) return null;
  if (current.disconnectedAt === null) return current.connectedAt;
  return current.disconnectedAt;
}
