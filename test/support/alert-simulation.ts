// The scheduler as a pure loop over the reference (lib/alerts/reference.ts):
// what the alert tests compare the database and other deliveries against.
import fc from "fast-check";
import { applyTransition, offlineAlert, reconcile } from "../../lib/alerts/reference";
import type { AlertRecord, DesiredAlert } from "../../lib/alerts/reference";
import {
  currentConnection,
  DEFAULT_PRESENCE_CONFIG,
  foldEvents,
  TIMESTAMP_TOLERANCE_MS,
  type LifecycleEvent,
  type PresenceConfig,
  type ReceivedEvent,
} from "../../lib/presence";
import { historyArbitrary, latestTimestamp, type HistoryOptions } from "./presence-arbitraries";

const MINUTE = 60_000;

/** What a client_offline rule wants at `now` from the events stored by then. */
export function desiredAt(
  stored: readonly ReceivedEvent[],
  forMs: number,
  now: number,
  config: PresenceConfig = DEFAULT_PRESENCE_CONFIG,
  selected: (clientId: string) => boolean = () => true,
): DesiredAlert[] {
  const desired: DesiredAlert[] = [];
  for (const [clientId, history] of foldEvents(stored)) {
    if (!selected(clientId)) continue;
    const current = currentConnection(
      [...history.connections.values()],
      config.versionResetWindowMs,
    );
    const alert = offlineAlert(current, forMs, now, config);
    if (alert !== null) desired.push(alert);
  }
  return desired;
}

/** Alerts in a canonical order (by client, then episode). */
export function sortRecords(records: AlertRecord[]): AlertRecord[] {
  return records.sort((a, b) =>
    `${a.clientId}\u0000${a.episode}` < `${b.clientId}\u0000${b.episode}` ? -1 : 1,
  );
}

/**
 * Events are stored in the order given, each at its receipt time; at every
 * tick the client_offline rule is evaluated on what is stored by then, for
 * the clients `selected` at that tick (its selector over the labels then).
 */
export function simulateOffline(
  delivery: readonly ReceivedEvent[],
  ticks: readonly number[],
  forMs: number,
  config: PresenceConfig = DEFAULT_PRESENCE_CONFIG,
  selected: (clientId: string, tick: number) => boolean = () => true,
): AlertRecord[] {
  let records: AlertRecord[] = [];
  const byReceipt = [...delivery].sort((a, b) => a.receivedAt - b.receivedAt); // stable
  for (const tick of ticks) {
    const stored = byReceipt.filter((r) => r.receivedAt <= tick);
    const desired = desiredAt(stored, forMs, tick, config, (id) => selected(id, tick));
    records = applyTransition(records, reconcile(records, desired, tick));
  }
  return sortRecords(records);
}

/** Ticks through and past every deadline: before, at and after grace and forSeconds. */
export function ticksFor(
  r1: number,
  r2: number,
  forMs: number,
  config: PresenceConfig = DEFAULT_PRESENCE_CONFIG,
): number[] {
  const grace = config.offlineGraceMs;
  const base = [r1, r2, r2 + 86_400_000];
  for (const r of [r1, r2]) {
    for (const d of [grace / 2, grace, grace + forMs - 1, grace + forMs, grace + forMs + 1]) {
      base.push(r + d);
    }
    base.push(r + grace + TIMESTAMP_TOLERANCE_MS + forMs, r + 61 * MINUTE);
  }
  return [...new Set(base)].sort((a, b) => a - b);
}

export interface TwoBursts {
  events: LifecycleEvent[];
  /** Events before the cut received at r1, the rest at r2. */
  received: ReceivedEvent[];
  r1: number;
  r2: number;
  forMs: number;
}

/** A history received in two bursts, and a rule's forSeconds (ms). */
export function twoBurstsArbitrary(options: HistoryOptions = {}): fc.Arbitrary<TwoBursts> {
  return historyArbitrary({ maxClients: 3, maxConnectionsPerClient: 5, ...options }).chain(
    (events) =>
      fc
        .record({
          cut: fc.nat({ max: events.length }),
          offset: fc.integer({ min: -2 * MINUTE, max: 5 * MINUTE }),
          // A long gap makes the second burst a replayed backlog (offline at once).
          gap: fc.oneof(
            fc.integer({ min: 0, max: 20 * MINUTE }),
            fc.integer({ min: 0, max: 180 * MINUTE }),
          ),
          forMs: fc.constantFrom(0, 10_000, 5 * MINUTE),
        })
        .map(({ cut, offset, gap, forMs }) => {
          // Each burst is received after (or, by clock skew, a little before) its last timestamp.
          const r1 = latestTimestamp(events.slice(0, Math.max(cut, 1))) + offset;
          const r2 = Math.max(r1, latestTimestamp(events) + offset) + gap;
          const received: ReceivedEvent[] = events.map((event, i) => ({
            event,
            receivedAt: i < cut ? r1 : r2,
          }));
          return { events, received, r1, r2, forMs };
        }),
  );
}
