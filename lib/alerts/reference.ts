// The one definition of alert state (issue #13). Pure, no I/O: the
// scheduler's SQL (evaluate-sql.ts) is held to it by database tests.
//
// An alert is derived from the presence model exactly as status is: what the
// stored events say at `now`, never the order they came in. A client_offline
// alert belongs to one *episode*, the disconnected connection that is
// current: it fires once grace + forSeconds have passed since the server
// received that disconnect (the instant status turns `offline`, see
// pendingUntil), and resolves when that connection stops being the current
// disconnected one (the device reconnected). A reconnect before then leaves
// nothing behind: the episode was never due.
import { pendingUntil } from "../presence/status";
import type { Connection, PresenceConfig } from "../presence/types";

export const ALERT_KINDS = [
  "client_offline",
  "client_flapping",
  "connect_failed",
  "fleet_online_below",
  "incident",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What a rule wants firing for one client (or the fleet) at `now`. */
export interface DesiredAlert {
  clientId: string | null;
  /** Identity within the rule and client: the same episode never fires twice. */
  episode: string;
  startedAt: number;
}

/** An alert as recorded: firing while resolvedAt is null. */
export interface AlertRecord extends DesiredAlert {
  resolvedAt: number | null;
}

/** The episode of a disconnected connection: its (versionNumber, sessionIdentifier). */
export function offlineEpisode(c: Pick<Connection, "versionNumber" | "sessionIdentifier">): string {
  return `v${c.versionNumber}/${c.sessionIdentifier}`;
}

/**
 * When a client_offline alert of this current connection is due: the moment
 * status turns offline (grace after receipt, or at once for a replayed
 * backlog) plus forSeconds. Null while the current connection is open.
 */
export function offlineDueAt(
  current: Connection | undefined,
  forMs: number,
  config: PresenceConfig,
): number | null {
  const until = pendingUntil(current, config);
  return until === null ? null : until + forMs;
}

/** The client_offline alert that should be firing at `now`, or null. */
export function offlineAlert(
  current: Connection | undefined,
  forMs: number,
  now: number,
  config: PresenceConfig,
): DesiredAlert | null {
  const due = offlineDueAt(current, forMs, config);
  if (current === undefined || due === null || now < due) return null;
  return { clientId: current.clientId, episode: offlineEpisode(current), startedAt: due };
}

/** connect_failed: at least `threshold` refused attempts in the `windowMs` before `now`. */
export function connectFailedFiring(
  failedAt: readonly number[],
  threshold: number,
  windowMs: number,
  now: number,
): boolean {
  let count = 0;
  for (const t of failedAt) if (t > now - windowMs && t <= now) count += 1;
  return count >= threshold;
}

/** fleet_online_below: fewer online than `threshold` clients or than `thresholdShare` of the selection. */
export function fleetOnlineBelow(
  online: number,
  total: number,
  threshold: number | null,
  thresholdShare: number | null,
): boolean {
  if (threshold !== null && online < threshold) return true;
  if (thresholdShare !== null && total > 0 && online < thresholdShare * total) return true;
  return false;
}

/** The change one evaluation makes to a rule's alerts. */
export interface Transition {
  fire: DesiredAlert[];
  resolve: Array<{ clientId: string | null; episode: string; resolvedAt: number }>;
}

const keyOf = (clientId: string | null) => clientId ?? "";

/**
 * One evaluation at `now`: an open alert whose episode is no longer wanted
 * resolves; a wanted episode that was never recorded fires. `records` holds
 * every alert the rule ever recorded (resolved ones too), so an episode that
 * resolved does not fire again.
 */
export function reconcile(
  records: readonly AlertRecord[],
  desired: readonly DesiredAlert[],
  now: number,
): Transition {
  const wanted = new Map(desired.map((d) => [keyOf(d.clientId), d]));
  const seen = new Set(records.map((r) => `${keyOf(r.clientId)}\u0000${r.episode}`));
  const transition: Transition = { fire: [], resolve: [] };
  for (const r of records) {
    if (r.resolvedAt !== null) continue;
    const want = wanted.get(keyOf(r.clientId));
    if (want === undefined || want.episode !== r.episode) {
      transition.resolve.push({ clientId: r.clientId, episode: r.episode, resolvedAt: now });
    }
  }
  for (const d of desired) {
    if (!seen.has(`${keyOf(d.clientId)}\u0000${d.episode}`)) transition.fire.push(d);
  }
  return transition;
}

/** Applies a transition to the records (a new array; the input is not changed). */
export function applyTransition(records: readonly AlertRecord[], t: Transition): AlertRecord[] {
  const resolved = new Map(
    t.resolve.map((r) => [`${keyOf(r.clientId)}\u0000${r.episode}`, r.resolvedAt]),
  );
  return [
    ...records.map((r) => {
      const at = resolved.get(`${keyOf(r.clientId)}\u0000${r.episode}`);
      return at === undefined || r.resolvedAt !== null ? r : { ...r, resolvedAt: at };
    }),
    ...t.fire.map((d) => ({ ...d, resolvedAt: null })),
  ];
}
