import { currentConnection } from "./current";
import { timeline } from "./timeline";
import type { Connection, TimelineConnection } from "./types";

/**
 * A client's status at a past moment T. Unlike the live status there is no
 * `pending`: that state is about the server's receipt clock (a disconnect
 * just received may be a reconnect in progress), while a past moment is
 * answered with everything known now, ends included.
 */
export type StatusAt = "online" | "offline" | "never_seen";

/**
 * Does a connection, as the timeline draws it, cover instant t? It started
 * at or before t (a connection whose connect never arrived has no known
 * start and covers nothing) and had not ended by t: its disconnect, or its
 * inferred end (the next connection's time), or no end while it is the
 * current open connection.
 */
export function coversAt(c: TimelineConnection, t: number): boolean {
  if (c.connectedAt === null || c.connectedAt > t) return false;
  return c.endedAt === null || c.endedAt > t;
}

/**
 * The REFERENCE for the fleet at a past moment (docs/model.md): `online` at
 * T when one of the client's connections covers T with ends as the timeline
 * draws them (from every stored connection, so any arrival order gives the
 * same answer), `never_seen` before its first event (`firstEventAt`, the
 * earliest event timestamp of any type; null for a client that only has
 * labels), `offline` otherwise. Mirrored in SQL by lib/clients/as-of-sql.ts.
 */
export function statusAt(
  connections: readonly Connection[],
  firstEventAt: number | null,
  t: number,
  versionResetWindowMs: number,
): StatusAt {
  if (firstEventAt === null || firstEventAt > t) return "never_seen";
  const drawn = timeline(connections, currentConnection(connections, versionResetWindowMs));
  return drawn.some((c) => coversAt(c, t)) ? "online" : "offline";
}

/** Flapping at t: at least the threshold of disconnects (by event time) in (t − window, t]. */
export function isFlappingAt(
  connections: readonly Connection[],
  t: number,
  config: { flapThreshold: number; flapWindowMs: number },
): boolean {
  let count = 0;
  for (const c of connections) {
    if (
      c.disconnectedAt !== null &&
      c.disconnectedAt > t - config.flapWindowMs &&
      c.disconnectedAt <= t
    )
      count += 1;
  }
  return count >= config.flapThreshold;
}
