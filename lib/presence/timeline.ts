import { compareConnections, connectionKey, connectionTime } from "./connections";
import type { Connection, TimelineConnection } from "./types";

/**
 * Connections oldest first, with inferred ends: a connection that never got
 * its disconnect and is not current ended, unknown how, no later than the
 * next connection's start. With no later connection (the current one has a
 * higher version but an earlier timestamp: timestamps are only ±2 min
 * accurate), the current one superseded it before its recorded start, so it
 * ends where it starts: never drawn as online beside the current one.
 */
export function timeline(
  connections: readonly Connection[],
  current: Connection | undefined,
): TimelineConnection[] {
  const sorted = [...connections].sort(compareConnections);
  const currentKey = current === undefined ? null : connectionKey(current);
  return sorted.map((c, i) => {
    const next = sorted[i + 1];
    return withEnd(
      c,
      connectionKey(c) === currentKey,
      next === undefined ? null : connectionTime(next),
    );
  });
}

/**
 * One connection's drawn end: its disconnect, or for a connection that is
 * not current and lost its disconnect, the next connection's time (the
 * database reader supplies that time from a window function), or its own
 * time when none follows. Mirrored in SQL by lib/clients/connections.ts
 * (which the CSV export reads) and lib/stats/online-history.ts.
 */
export function withEnd(
  c: Connection,
  isCurrent: boolean,
  nextTime: number | null,
): TimelineConnection {
  if (c.disconnectedAt !== null) return { ...c, endInferred: false, endedAt: c.disconnectedAt };
  if (isCurrent) return { ...c, endInferred: false, endedAt: null };
  return { ...c, endInferred: true, endedAt: nextTime ?? connectionTime(c) };
}
