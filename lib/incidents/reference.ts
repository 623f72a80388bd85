// The in-memory reference: incidents of a whole history, from the connections
// the presence model derives. The database job must persist exactly these
// (job.test.ts); the property tests hold it to arrival-order independence.
import { isInfrastructureClient } from "../clients/infrastructure";
import { compareStrings, connectionTime } from "../presence/connections";
import { currentConnection } from "../presence/current";
import { timeline } from "../presence/timeline";
import type { Connection, TimelineConnection } from "../presence/types";
import type { IncidentConfig } from "./config";
import { closeIncident, findBursts, type DetectedIncident, type DisconnectPoint } from "./detect";

/** Where the inputs of the detector come from, as the timeline draws each client's connections. */
export interface IncidentInputs {
  disconnects: DisconnectPoint[];
  /** Clients online just before t: drawn spans with start < t ≤ end (an open one has no end). */
  onlineBefore(at: number): number;
  /** The start of the first later connection (timeline order) that has a connect. */
  reconnectAt(point: DisconnectPoint): number | null;
}

export function toDisconnectPoint(c: Connection): DisconnectPoint | null {
  if (c.disconnectedAt === null) return null;
  return {
    clientId: c.clientId,
    sessionIdentifier: c.sessionIdentifier,
    versionNumber: c.versionNumber,
    connTime: connectionTime(c),
    disconnectedAt: c.disconnectedAt,
    reason: c.disconnectReason,
    principalIdentifier: c.principalIdentifier,
    ipAddress: c.ipAddress,
  };
}

/**
 * Builds the detector's inputs from each client's stored connections, of
 * fleet members only: infrastructure clients (the bridge) are no devices.
 */
export function inputsFromConnections(
  clients: Iterable<readonly Connection[]>,
  versionResetWindowMs: number,
): IncidentInputs {
  const spans: Array<[number, number]> = [];
  const disconnects: DisconnectPoint[] = [];
  const timelines = new Map<string, TimelineConnection[]>();
  for (const connections of clients) {
    if (connections.length === 0) continue;
    if (isInfrastructureClient((connections[0] as Connection).clientId)) continue;
    const drawn = timeline(connections, currentConnection(connections, versionResetWindowMs));
    timelines.set((connections[0] as Connection).clientId, drawn);
    for (const c of drawn) {
      if (c.connectedAt !== null) spans.push([c.connectedAt, c.endedAt ?? Infinity]);
      const point = toDisconnectPoint(c);
      if (point !== null) disconnects.push(point);
    }
  }
  return {
    disconnects,
    onlineBefore: (at) => spans.filter(([s, e]) => s < at && at <= e).length,
    reconnectAt(point) {
      const drawn = timelines.get(point.clientId) ?? [];
      // Timeline order (time, version, session), as compareConnections sorts.
      const later = drawn.find(
        (c) =>
          c.connectedAt !== null &&
          (connectionTime(c) - point.connTime ||
            c.versionNumber - point.versionNumber ||
            compareStrings(c.sessionIdentifier, point.sessionIdentifier)) > 0,
      );
      return later?.connectedAt ?? null;
    },
  };
}

/** The incidents of a whole history at `now`, oldest first. */
export function detectIncidents(
  inputs: IncidentInputs,
  config: IncidentConfig,
  now: number,
): DetectedIncident[] {
  return findBursts(inputs.disconnects, config, inputs.onlineBefore).map((burst) =>
    closeIncident(burst, config, now, inputs.reconnectAt),
  );
}
