import { compareConnections, connectionKey, connectionTime } from "./connections";
import type { Connection, TimelineConnection } from "./types";

/**
 * Connections oldest first, with inferred ends: a connection that never got
 * its disconnect and is not current ended, unknown how, no later than the
 * next connection's start.
 */
export function timeline(
  connections: readonly Connection[],
  current: Connection | undefined,
): TimelineConnection[] {
  const sorted = [...connections].sort(compareConnections);
  const currentKey = current === undefined ? null : connectionKey(current);
  return sorted.map((c, i) => {
    if (c.disconnectedAt !== null) return { ...c, endInferred: false, endedAt: c.disconnectedAt };
    if (connectionKey(c) === currentKey) return { ...c, endInferred: false, endedAt: null };
    const next = sorted[i + 1];
    return { ...c, endInferred: true, endedAt: next === undefined ? null : connectionTime(next) };
  });
}
