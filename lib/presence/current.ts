import { compareStrings, connectionTime } from "./connections";
import type { Connection } from "./types";

/**
 * The current connection of one client (docs/model.md, "Current connection").
 *
 * Let T be the latest connection time; among connections with time ≥ T − W,
 * the highest versionNumber wins (ties: later time, then greater
 * sessionIdentifier). Versions decide among close events because timestamps
 * are only ±2 min accurate; time decides across a version reset (after about
 * an hour offline the version starts again at 0, far outside W).
 */
export function currentConnection(
  connections: readonly Connection[],
  versionResetWindowMs: number,
): Connection | undefined {
  if (connections.length === 0) return undefined;
  let latest = -Infinity;
  for (const c of connections) latest = Math.max(latest, connectionTime(c));
  let best: Connection | undefined;
  for (const c of connections) {
    if (connectionTime(c) < latest - versionResetWindowMs) continue;
    if (best === undefined || compareCurrentCandidates(c, best) > 0) best = c;
  }
  return best;
}

function compareCurrentCandidates(a: Connection, b: Connection): number {
  return (
    a.versionNumber - b.versionNumber ||
    connectionTime(a) - connectionTime(b) ||
    compareStrings(a.sessionIdentifier, b.sessionIdentifier)
  );
}
