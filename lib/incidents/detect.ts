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
  /** Start of the first hot window of the run (the job's region checks use it). */
  chainStartAt: number;
  /**
   * The incident's start: the start of the tightest window that first met
   * the thresholds, so the quiet churn of the minute before a sharp outage
   * is not part of it.
   */
  startedAt: number;
  /** Start of the last hot window: another hot window starting before lastHotAt + window would extend it. */
  lastHotAt: number;
  /** The last moment a window of the run met the thresholds: the burst's end. */
  burstEndAt: number;
  /** Each affected client's first disconnect inside [startedAt, burstEndAt], by client ID. */
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

interface Window {
  at: number;
  /** Index in the sorted points of the window's first point. */
  from: number;
  clients: number;
}

/** Each distinct disconnect time t with the number of distinct clients that disconnect in [t, t + window). */
function windowCounts(sorted: readonly DisconnectPoint[], windowMs: number): Window[] {
  const out: Window[] = [];
  const inWindow = new Map<string, number>();
  let hi = 0;
  for (let lo = 0; lo < sorted.length;) {
    const at = (sorted[lo] as DisconnectPoint).disconnectedAt;
    while (hi < sorted.length && (sorted[hi] as DisconnectPoint).disconnectedAt < at + windowMs) {
      const id = (sorted[hi] as DisconnectPoint).clientId;
      inWindow.set(id, (inWindow.get(id) ?? 0) + 1);
      hi += 1;
    }
    out.push({ at, from: lo, clients: inWindow.size });
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

export interface HotWindow {
  at: number;
  from: number;
  /** The fewest distinct clients that meet both thresholds for this window. */
  threshold: number;
}

/**
 * When each hot window first meets its threshold: the first instant t at
 * which the distinct clients disconnecting in [start, t] reach it (all
 * points at one instant land together). Scanning forward from each start
 * would cost a window's length per window: a storm of a million disconnects
 * over a minute has tens of thousands of hot windows of tens of thousands of
 * points each, minutes of a blocked event loop. Instead the windows are
 * taken from the latest start back, over a Fenwick tree of the points'
 * positions holding 1 at each client's first point at or after the start:
 * the distinct clients in [start, i] are the prefix sum to i, and the
 * crossing is the smallest i whose sum reaches the threshold.
 */
export function crossings(sorted: readonly DisconnectPoint[], hot: readonly HotWindow[]): number[] {
  const n = sorted.length;
  // next[i]: the position of the same client's next point (-1: none).
  const next = new Int32Array(n).fill(-1);
  const lastSeen = new Map<string, number>();
  for (let i = n - 1; i >= 0; i -= 1) {
    const id = (sorted[i] as DisconnectPoint).clientId;
    next[i] = lastSeen.get(id) ?? -1;
    lastSeen.set(id, i);
  }
  const tree = new Int32Array(n + 1);
  const add = (i: number, delta: number) => {
    for (let k = i + 1; k <= n; k += k & -k) tree[k] = (tree[k] as number) + delta;
  };
  let top = 1;
  while (top * 2 <= n) top *= 2;
  /** The smallest position whose prefix sum reaches `count` (n when none does). */
  const reach = (count: number): number => {
    let pos = 0;
    let left = count;
    for (let step = top; step > 0; step >>= 1) {
      const k = pos + step;
      if (k <= n && (tree[k] as number) < left) {
        pos = k;
        left -= tree[k] as number;
      }
    }
    return pos;
  };
  const out = new Array<number>(hot.length);
  let added = n;
  for (let h = hot.length - 1; h >= 0; h -= 1) {
    const w = hot[h] as HotWindow;
    while (added > w.from) {
      added -= 1;
      add(added, 1);
      const later = next[added] as number;
      if (later >= 0) add(later, -1);
    }
    const i = reach(Math.max(1, w.threshold));
    // A hot window meets its threshold within itself, so i < n.
    out[h] = i < n ? (sorted[i] as DisconnectPoint).disconnectedAt : w.at;
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
 * overlap (starts less than one window apart) form one burst. The burst
 * runs from the start of the tightest window that first met the thresholds
 * to the last moment a window met them: a window is as long as the
 * configured one, but the background churn of its first seconds is not
 * part of a sharp outage at its end. `onlineBefore(t)` is asked only for
 * candidate starts.
 */
export function findBursts(
  disconnects: readonly DisconnectPoint[],
  config: IncidentConfig,
  onlineBefore: (at: number) => number,
): Burst[] {
  const sorted = [...disconnects].sort(comparePoints);
  const windows: HotWindow[] = [];
  for (const w of windowCounts(sorted, config.windowMs)) {
    if (w.clients < config.minClients) continue;
    // A whole number of clients is at least minShare × online when it is at least its ceiling.
    const threshold = Math.max(config.minClients, Math.ceil(config.minShare * onlineBefore(w.at)));
    if (w.clients >= threshold) windows.push({ at: w.at, from: w.from, threshold });
  }
  const crossing = crossings(sorted, windows);
  const hot = windows.map((w, i) => ({ at: w.at, crossing: crossing[i] as number }));
  const chains: Array<Array<{ at: number; crossing: number }>> = [];
  for (const h of hot) {
    const chain = chains[chains.length - 1];
    const last = chain?.[chain.length - 1];
    if (chain !== undefined && last !== undefined && h.at < last.at + config.windowMs)
      chain.push(h);
    else chains.push([h]);
  }
  return chains.map((chain) => {
    const first = chain[0] as { at: number; crossing: number };
    // The tightest window that met the thresholds first: the latest start with the first crossing.
    // Loops, not Math.max(...): a storm's chain can outgrow a call's arguments.
    let startedAt = first.at;
    let burstEndAt = first.crossing;
    for (const h of chain) {
      if (h.crossing === first.crossing && h.at > startedAt) startedAt = h.at;
      if (h.crossing > burstEndAt) burstEndAt = h.crossing;
    }
    const byClient = new Map<string, DisconnectPoint>();
    for (const p of sorted) {
      if (p.disconnectedAt < startedAt || p.disconnectedAt > burstEndAt) continue;
      if (!byClient.has(p.clientId)) byClient.set(p.clientId, p);
    }
    const points = [...byClient.values()].sort((a, b) => compareStrings(a.clientId, b.clientId));
    return {
      chainStartAt: first.at,
      startedAt,
      lastHotAt: (chain[chain.length - 1] as { at: number }).at,
      burstEndAt,
      points,
    };
  });
}

/** The latest reconnection that still counts for an incident that started at `startedAt`. */
export function recoveryHorizon(startedAt: number, config: IncidentConfig): number {
  return startedAt + config.maxOpenMs;
}

/**
 * Step 2: the incident of one burst. `reconnectAt(point, index)` is the
 * start of the client's next connection after the dropped one (null if
 * none), `index` the point's position in burst.points; it
 * counts when it falls within the recovery horizon. The incident closes once
 * the burst is over and either more than half of its clients are back or
 * maxOpen has passed since its start; it is open at `now` until then, and
 * while another hot window could still extend the burst.
 */
export function closeIncident(
  burst: Burst,
  config: IncidentConfig,
  now: number,
  reconnectAt: (point: DisconnectPoint, index: number) => number | null,
): DetectedIncident {
  const horizon = recoveryHorizon(burst.startedAt, config);
  const clients = burst.points.map((p, i): IncidentClient => {
    const at = reconnectAt(p, i);
    // Spelled out, not { ...p }: V8's spread copy of a point takes about
    // three times the memory of a literal (some 490 against 140 bytes), and
    // a storm's incident holds a million of them.
    return {
      clientId: p.clientId,
      sessionIdentifier: p.sessionIdentifier,
      versionNumber: p.versionNumber,
      connTime: p.connTime,
      disconnectedAt: p.disconnectedAt,
      reason: p.reason,
      principalIdentifier: p.principalIdentifier,
      ipAddress: p.ipAddress,
      reconnectedAt: at !== null && at <= horizon ? at : null,
    };
  });
  const backTimes = clients
    .map((c) => c.reconnectedAt)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const majority = Math.floor(clients.length / 2) + 1;
  const majorityBackAt = backTimes[majority - 1] ?? Infinity;
  const { burstEndAt } = burst;
  const closesAt = Math.max(burstEndAt, Math.min(majorityBackAt, horizon));
  const open = now < Math.max(closesAt, burst.lastHotAt + config.windowMs);
  const reasons: Record<string, number> = {};
  for (const c of clients) {
    const key = c.reason ?? UNKNOWN_REASON;
    reasons[key] = (reasons[key] ?? 0) + 1;
  }
  return {
    startedAt: burst.startedAt,
    endedAt: open ? null : closesAt,
    closesAt,
    lastHotAt: burst.lastHotAt,
    burstEndAt,
    clients,
    reconnectedClients: backTimes.length,
    reasons,
  };
}
