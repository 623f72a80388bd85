// The one definition of an incident (docs/incidents.md). Pure: no I/O. The
// in-memory reference (reference.ts) and the database job (job.ts) both run
// these two steps; they differ only in how they answer the two questions the
// detector asks: how many clients were online just before a candidate window,
// and when did a dropped client connect again.
import { compareStrings } from "../presence/connections";
import type { IncidentConfig } from "./config";

/** One real disconnect (a connection's disconnectedAt), with what the incident page shows of it. */
export interface DisconnectPoint {
  clientId: string;
  sessionIdentifier: string;
  versionNumber: number;
  /** The dropped connection's time (connectedAt ?? disconnectedAt): "later connections" are later than this. */
  connTime: number;
  disconnectedAt: number;
  reason: string | null;
  principalIdentifier: string | null;
  ipAddress: string | null;
}

/** A run of overlapping hot windows: the disconnect side of one incident. */
export interface Burst {
  /** Start of the first hot window: the incident's start. */
  firstHotAt: number;
  /** Start of the last hot window: another hot window starting before lastHotAt + window would extend it. */
  lastHotAt: number;
  /** Each affected client's first disconnect inside [firstHotAt, lastHotAt + window), by client ID. */
  points: DisconnectPoint[];
}

export interface IncidentClient extends DisconnectPoint {
  /** When the client connected again (its next connection's start), within the recovery horizon; null if not back. */
  reconnectedAt: number | null;
}

export interface DetectedIncident {
  startedAt: number;
  /** Null while open: the burst may go on, or most clients are not back and the maximum has not passed. */
  endedAt: number | null;
  /** The instant the incident closes, or would close if nothing else arrives (for the open ones). */
  closesAt: number;
  lastHotAt: number;
  burstEndAt: number;
  clients: IncidentClient[];
  reconnectedClients: number;
  reasons: Record<string, number>;
}

/** The reason key of a disconnect that carried none (older AWS payloads). */
export const UNKNOWN_REASON = "UNKNOWN";

function comparePoints(a: DisconnectPoint, b: DisconnectPoint): number {
  return (
    a.disconnectedAt - b.disconnectedAt ||
    compareStrings(a.clientId, b.clientId) ||
    compareStrings(a.sessionIdentifier, b.sessionIdentifier) ||
    a.versionNumber - b.versionNumber
  );
}

/** Each distinct disconnect time t with the number of distinct clients that disconnect in [t, t + window). */
function windowCounts(
  sorted: readonly DisconnectPoint[],
  windowMs: number,
): Array<{ at: number; clients: number }> {
  const out: Array<{ at: number; clients: number }> = [];
  const inWindow = new Map<string, number>();
  let hi = 0;
  for (let lo = 0; lo < sorted.length;) {
    const at = (sorted[lo] as DisconnectPoint).disconnectedAt;
    while (hi < sorted.length && (sorted[hi] as DisconnectPoint).disconnectedAt < at + windowMs) {
      const id = (sorted[hi] as DisconnectPoint).clientId;
      inWindow.set(id, (inWindow.get(id) ?? 0) + 1);
      hi += 1;
    }
    out.push({ at, clients: inWindow.size });
    // Slide past every point at this instant.
    while (lo < sorted.length && (sorted[lo] as DisconnectPoint).disconnectedAt === at) {
      const id = (sorted[lo] as DisconnectPoint).clientId;
      const left = (inWindow.get(id) ?? 1) - 1;
      if (left === 0) inWindow.delete(id);
      else inWindow.set(id, left);
      lo += 1;
    }
  }
  return out;
}

/**
 * Window starts that have enough distinct clients (≥ minClients): only at
 * these does the detector need the online count, which is the costly part
 * in the database.
 */
export function candidateStarts(
  disconnects: readonly DisconnectPoint[],
  config: IncidentConfig,
): number[] {
  const sorted = [...disconnects].sort(comparePoints);
  return windowCounts(sorted, config.windowMs)
    .filter((w) => w.clients >= config.minClients)
    .map((w) => w.at);
}

/**
 * Step 1: the bursts. A window [t, t + window) starting at a disconnect is
 * hot when at least minClients distinct clients, and at least minShare of
 * the clients online just before t, disconnect in it. Hot windows that
 * overlap (starts less than one window apart) form one burst.
 * `onlineBefore(t)` is asked only for candidate starts.
 */
export function findBursts(
  disconnects: readonly DisconnectPoint[],
  config: IncidentConfig,
  onlineBefore: (at: number) => number,
): Burst[] {
  const sorted = [...disconnects].sort(comparePoints);
  const hot = windowCounts(sorted, config.windowMs)
    .filter(
      (w) => w.clients >= config.minClients && w.clients >= config.minShare * onlineBefore(w.at),
    )
    .map((w) => w.at);
  const chains: Array<{ first: number; last: number }> = [];
  for (const at of hot) {
    const chain = chains[chains.length - 1];
    if (chain !== undefined && at < chain.last + config.windowMs) chain.last = at;
    else chains.push({ first: at, last: at });
  }
  return chains.map(({ first, last }) => {
    const byClient = new Map<string, DisconnectPoint>();
    for (const p of sorted) {
      if (p.disconnectedAt < first || p.disconnectedAt >= last + config.windowMs) continue;
      if (!byClient.has(p.clientId)) byClient.set(p.clientId, p);
    }
    const points = [...byClient.values()].sort((a, b) => compareStrings(a.clientId, b.clientId));
    return { firstHotAt: first, lastHotAt: last, points };
  });
}

/** The latest reconnection that still counts for an incident that started at `startedAt`. */
export function recoveryHorizon(startedAt: number, config: IncidentConfig): number {
  return startedAt + config.maxOpenMs;
}

/**
 * Step 2: the incident of one burst. `reconnectAt(point)` is the start of
 * the client's next connection after the dropped one (null if none); it
 * counts when it falls within the recovery horizon. The incident closes once
 * the burst is over and either more than half of its clients are back or
 * maxOpen has passed since its start; it is open at `now` until then, and
 * while another hot window could still extend the burst.
 */
export function closeIncident(
  burst: Burst,
  config: IncidentConfig,
  now: number,
  reconnectAt: (point: DisconnectPoint) => number | null,
): DetectedIncident {
  const horizon = recoveryHorizon(burst.firstHotAt, config);
  const clients = burst.points.map((p) => {
    const at = reconnectAt(p);
    return { ...p, reconnectedAt: at !== null && at <= horizon ? at : null };
  });
  const backTimes = clients
    .map((c) => c.reconnectedAt)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const majority = Math.floor(clients.length / 2) + 1;
  const majorityBackAt = backTimes[majority - 1] ?? Infinity;
  const burstEndAt = Math.max(...clients.map((c) => c.disconnectedAt));
  const closesAt = Math.max(burstEndAt, Math.min(majorityBackAt, horizon));
  const open = now < Math.max(closesAt, burst.lastHotAt + config.windowMs);
  const reasons: Record<string, number> = {};
  for (const c of clients) {
    const key = c.reason ?? UNKNOWN_REASON;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  return {
    startedAt: burst.firstHotAt,
    endedAt: open ? null : closesAt,
    closesAt,
    lastHotAt: burst.lastHotAt,
    burstEndAt,
    clients,
    reconnectedClients: backTimes.length,
    reasons,
  };
}
