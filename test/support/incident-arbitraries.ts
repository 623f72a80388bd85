// fast-check generators for fleet-wide mass disconnects (incident detection),
// beside presence-arbitraries.ts's per-client histories. A scenario is a few
// bursts (many clients dropping within seconds, most reconnecting later) over
// a steady background fleet, mixed with random per-client histories, so that
// bursts sit near every threshold and window edge.
import fc from "fast-check";
import type { LifecycleEvent } from "../../lib/presence/types";
import { DISCONNECT_REASONS, historyArbitrary, lifecycleEvent } from "./presence-arbitraries";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

interface MassClientPlan {
  connectOffsetMs: number;
  /** Which burst drops this client (modulo the number of bursts), or none. */
  burst: number | null;
  dropOffsetMs: number;
  reason: string | null;
  /** Null: never comes back. */
  backAfterMs: number | null;
  subnet: number;
  /** Drops a second time soon after (a flapping device inside the burst). */
  flap: { afterMs: number; reason: string | null } | null;
}

interface BurstPlan {
  offsetMs: number;
  spreadMs: number;
}

function presence(
  eventType: "connected" | "disconnected",
  clientId: string,
  timestamp: number,
  versionNumber: number,
  extra: Partial<LifecycleEvent> = {},
): LifecycleEvent {
  return lifecycleEvent({
    eventType,
    clientId,
    timestamp,
    sessionIdentifier: `s-${clientId}`,
    principalIdentifier: `principal-${clientId.length % 3}`,
    versionNumber,
    clientInitiatedDisconnect: eventType === "disconnected" ? false : null,
    ...extra,
  });
}

/**
 * Events of a fleet of `clients` devices (ids `mass-0`…) connected from the
 * start, a few bursts that drop many of them within `spreadMs`, and their
 * reconnections; plus a random background history of other clients.
 */
export function massDisconnectArbitrary(
  options: { maxClients?: number; maxBursts?: number } = {},
): fc.Arbitrary<LifecycleEvent[]> {
  const maxClients = options.maxClients ?? 24;
  const burstPlan = fc.record({
    offsetMs: fc.integer({ min: 1 * MINUTE, max: 20 * MINUTE }),
    spreadMs: fc.oneof(
      fc.integer({ min: 0, max: 5 * SECOND }),
      fc.integer({ min: 0, max: 3 * MINUTE }),
    ),
  });
  const clientPlan = fc.record({
    connectOffsetMs: fc.integer({ min: 0, max: 30 * SECOND }),
    burst: fc.option(fc.nat({ max: 7 }), { freq: 5 }),
    dropOffsetMs: fc.nat({ max: 1_000_000 }),
    reason: fc.option(fc.constantFrom(...DISCONNECT_REASONS), { freq: 4 }),
    backAfterMs: fc.option(
      fc.oneof(fc.integer({ min: 0, max: 30 * SECOND }), fc.integer({ min: 0, max: 90 * MINUTE })),
      { freq: 4 },
    ),
    subnet: fc.nat({ max: 2 }),
    flap: fc.option(
      fc.record({
        afterMs: fc.integer({ min: 0, max: 20 * SECOND }),
        reason: fc.option(fc.constantFrom(...DISCONNECT_REASONS), { freq: 4 }),
      }),
      { freq: 4 },
    ),
  });
  return fc
    .tuple(
      fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
      fc.array(burstPlan, { minLength: 1, maxLength: options.maxBursts ?? 3 }),
      fc.array(clientPlan, { minLength: 1, maxLength: maxClients }),
      historyArbitrary({ maxClients: 3, maxConnectionsPerClient: 4 }),
      fc.boolean(),
    )
    .map(([base, bursts, clients, background, shiftBackground]) => {
      const events: LifecycleEvent[] = [];
      clients.forEach((plan: MassClientPlan, i) => {
        const id = `mass-${i}`;
        const ip = `10.${plan.subnet}.${i % 7}.${i}`;
        events.push(presence("connected", id, base + plan.connectOffsetMs, 1, { ipAddress: ip }));
        if (plan.burst === null) return;
        const burst = bursts[plan.burst % bursts.length] as BurstPlan;
        const droppedAt =
          base + burst.offsetMs + (burst.spreadMs === 0 ? 0 : plan.dropOffsetMs % burst.spreadMs);
        events.push(
          presence("disconnected", id, droppedAt, 1, {
            disconnectReason: plan.reason,
            clientInitiatedDisconnect: plan.reason === "CLIENT_INITIATED_DISCONNECT",
          }),
        );
        if (plan.backAfterMs !== null) {
          events.push(
            presence("connected", id, droppedAt + plan.backAfterMs, 2, { ipAddress: ip }),
          );
        }
      });
      // The background history starts at its own random time; move it over the bursts half the time.
      const first = background.reduce((m, e) => Math.min(m, e.timestamp), Infinity);
      const shift = shiftBackground && Number.isFinite(first) ? base - first : 0;
      for (const e of background) events.push({ ...e, timestamp: e.timestamp + shift });
      return events;
    });
}
