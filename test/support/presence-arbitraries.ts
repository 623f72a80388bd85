// fast-check generators for lifecycle-event histories that follow the AWS IoT
// facts listed in docs/model.md ("Input: lifecycle events"). Shared by the pure
// model's property tests and by the database tests (import `historyArbitrary`).
//
// A history is generated in three steps: random *plans* (plain records, so
// fast-check shrinks them well), a deterministic build of the real timeline
// from the plans, and a per-event timestamp jitter of up to ±2 min (AWS
// timestamp accuracy). The jitter never breaks the facts the model relies on:
// a version reset only follows more than an hour offline (61 min at least,
// far outside the 10-min version-reset window W plus twice the jitter), and
// the connect and the disconnect of one connection always share one
// (sessionIdentifier, versionNumber).
import fc from "fast-check";
import {
  DEFAULT_PRESENCE_CONFIG,
  TIMESTAMP_TOLERANCE_MS,
  type LifecycleEvent,
  type ReceivedEvent,
} from "../../lib/presence/types";

/** The presence settings the model's tests run with, and their offline grace period. */
export const CONFIG = DEFAULT_PRESENCE_CONFIG;
export const GRACE = CONFIG.offlineGraceMs;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Client IDs that stress keys and encodings: slashes, spaces, unicode, 128 bytes. */
export const ODD_CLIENT_IDS: readonly string[] = [
  "truck/07/gps",
  "fleet/eu-west/trailer 12",
  "sensor 4",
  "/leading-slash",
  "trailing-slash/",
  "θερμόμετρο-α",
  "设备/北京/1",
  "emoji-🚚-🔋",
  'quote"and\\backslash',
  "x".repeat(128),
];

/** Topic filters, few enough that subscribe/unsubscribe of one topic collide often. */
export const TOPIC_POOL: readonly string[] = [
  "dt/fleet/telemetry",
  "cmd/+/reboot",
  "$aws/things/truck 7/shadow/#",
  "sensors/温度",
  "a/b/c/",
];

export const DISCONNECT_REASONS: readonly string[] = [
  "CLIENT_INITIATED_DISCONNECT",
  "CONNECTION_LOST",
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "SERVER_INITIATED_DISCONNECT",
  "THROTTLED",
  "WEBSOCKET_TTL_EXPIRATION",
  "SOME_FUTURE_REASON",
];

export const CONNECT_FAILURE_REASONS: readonly string[] = [
  "AUTHORIZATION_FAILED",
  "CLIENT_ERROR",
  "THROTTLED",
];

/** Offline gap kinds before a reconnection. Only `long` (> 1 h) resets the version. */
export type GapKind = "overlap" | "flap" | "short" | "medium" | "long";

const GAP_RANGES: Record<Exclude<GapKind, "overlap">, readonly [number, number]> = {
  flap: [0, 5 * SECOND],
  short: [5 * SECOND, 5 * MINUTE],
  medium: [5 * MINUTE, 55 * MINUTE],
  // "About an hour offline": strictly more, so reset connections are always
  // more than W (10 min) + 2 × 2 min of jitter apart from the previous ones.
  long: [61 * MINUTE, 48 * HOUR],
};

export interface HistoryOptions {
  /** Distinct client IDs, 1..maxClients (default 3). */
  maxClients?: number;
  /** Connections per client, 1..maxConnectionsPerClient (default 6). */
  maxConnectionsPerClient?: number;
  /** Per-event timestamp jitter bound (default 120 000 ms, the AWS accuracy). */
  jitterMs?: number;
  /**
   * Timestamps rounded down to a multiple of this (default 1 ms). A coarse
   * clock makes equal timestamps common, which exercises every tie-break;
   * keep jitterMs + timestampGranularityMs within the 2-min tolerance.
   */
  timestampGranularityMs?: number;
}

/** A connection as it really happened (before jitter), for oracle properties. */
export interface TrueConnection {
  clientId: string;
  sessionIdentifier: string;
  versionNumber: number;
  /** Real start and end (the end is real even when its disconnect event is lost or pending). */
  realStart: number;
  realEnd: number | null;
  /** Whether the history contains this connection's disconnect event. */
  disconnectEmitted: boolean;
}

export interface TrueClient {
  clientId: string;
  /** Oldest first, in real time. */
  connections: TrueConnection[];
}

export interface Scenario {
  /** In real-time order; timestamps jittered. */
  events: LifecycleEvent[];
  /** Real (unjittered) time of each event, parallel to `events`. */
  realTimes: number[];
  clients: TrueClient[];
  /** Real time of the last event. */
  endsAt: number;
}

interface SubscriptionPlan {
  atPermille: number;
  eventType: "subscribed" | "unsubscribed";
  topics: string[];
  jitter: number;
}

interface ConnectionPlan {
  gapKind: GapKind;
  gapSeed: number;
  overlapMs: number;
  durationMs: number;
  clean: boolean;
  /** For a persistent session after a long gap: its TTL expired (new session, version reset). */
  sessionExpired: boolean;
  sessionSeed: number;
  versionSkip: number;
  end: "disconnect" | "lost";
  reason: string | null;
  ipAddress: string | null;
  subscriptions: SubscriptionPlan[];
  failedBefore: { reason: string; jitter: number } | null;
  connectJitter: number;
  disconnectJitter: number;
}

interface ClientPlan {
  clientId: string;
  startOffsetMs: number;
  firstVersion: number;
  principal: string;
  thingName: string | null;
  lastStillOnline: boolean;
  connections: ConnectionPlan[];
  onlyFailure: { reason: string; jitter: number };
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

export function clientIdArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...ODD_CLIENT_IDS), weight: 2 },
    {
      arbitrary: fc
        .string({ unit: "grapheme", minLength: 1, maxLength: 16 })
        .filter((s) => !/[#+]/.test(s) && byteLength(s) <= 128),
      weight: 1,
    },
    { arbitrary: fc.stringMatching(/^[a-z]{1,6}-[0-9]{1,4}$/), weight: 2 },
  );
}

function weighted<T>(...pairs: Array<[T, number]>): fc.Arbitrary<T> {
  return fc.oneof(...pairs.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
}

function connectionPlanArbitrary(jitterMs: number): fc.Arbitrary<ConnectionPlan> {
  const jitter = fc.integer({ min: -jitterMs, max: jitterMs });
  return fc.record({
    gapKind: weighted<GapKind>(
      ["overlap", 1],
      ["flap", 3],
      ["short", 2],
      ["medium", 1],
      ["long", 2],
    ),
    gapSeed: fc.nat(),
    overlapMs: fc.integer({ min: 1, max: 50 }),
    durationMs: fc.oneof(
      fc.integer({ min: 1 * SECOND, max: 10 * SECOND }),
      fc.integer({ min: 10 * SECOND, max: 10 * MINUTE }),
      fc.integer({ min: 10 * MINUTE, max: 6 * HOUR }),
    ),
    clean: fc.boolean(),
    sessionExpired: weighted([true, 3], [false, 1]),
    sessionSeed: fc.integer({ min: 0, max: 0xffff_ffff }),
    versionSkip: weighted([0, 6], [1, 1], [2, 1], [7, 1]),
    end: weighted<"disconnect" | "lost">(["disconnect", 8], ["lost", 1]),
    reason: fc.option(fc.constantFrom(...DISCONNECT_REASONS), { freq: 5 }),
    ipAddress: fc.option(fc.constantFrom("192.0.2.1", "198.51.100.7", "2001:db8::1"), { freq: 4 }),
    subscriptions: fc.uniqueArray(
      fc.record({
        atPermille: fc.integer({ min: 1, max: 999 }),
        eventType: fc.constantFrom("subscribed" as const, "unsubscribed" as const),
        topics: fc.array(fc.constantFrom(...TOPIC_POOL), { minLength: 1, maxLength: 3 }),
        jitter,
      }),
      { maxLength: 3, selector: (s) => s.atPermille },
    ),
    failedBefore: fc.option(
      fc.record({ reason: fc.constantFrom(...CONNECT_FAILURE_REASONS), jitter }),
      { freq: 8 },
    ),
    connectJitter: jitter,
    disconnectJitter: jitter,
  });
}

function clientPlanArbitrary(jitterMs: number, maxConnections: number): fc.Arbitrary<ClientPlan> {
  const jitter = fc.integer({ min: -jitterMs, max: jitterMs });
  return fc.record({
    clientId: clientIdArbitrary(),
    startOffsetMs: fc.integer({ min: 0, max: 30 * MINUTE }),
    firstVersion: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000 })),
    principal: fc.constantFrom(
      "AIDACKCEVSQ6C2EXAMPLE:device",
      "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
      "cognito:eu-west-1:1234",
    ),
    thingName: fc.option(fc.constantFrom("Truck7", "sensor-4"), { freq: 2 }),
    lastStillOnline: weighted([false, 2], [true, 1]),
    connections: fc.oneof(
      { arbitrary: fc.constant<ConnectionPlan[]>([]), weight: 1 },
      {
        arbitrary: fc.array(connectionPlanArbitrary(jitterMs), {
          minLength: 1,
          maxLength: Math.max(1, maxConnections),
        }),
        weight: 12,
      },
    ),
    onlyFailure: fc.record({ reason: fc.constantFrom(...CONNECT_FAILURE_REASONS), jitter }),
  });
}

/** A normalised event with the fields given; every other field is null, as when a payload lacks it. */
export function lifecycleEvent(
  fields: Pick<LifecycleEvent, "eventType" | "clientId" | "timestamp"> & Partial<LifecycleEvent>,
): LifecycleEvent {
  return {
    sessionIdentifier: null,
    principalIdentifier: null,
    versionNumber: null,
    clientInitiatedDisconnect: null,
    disconnectReason: null,
    ipAddress: null,
    thingName: null,
    topics: null,
    connectFailureReason: null,
    ...fields,
  };
}

function presence(
  eventType: "connected" | "disconnected",
  clientId: string,
  timestamp: number,
  sessionIdentifier: string,
  versionNumber: number,
  principal: string,
  thingName: string | null,
): LifecycleEvent {
  return lifecycleEvent({
    eventType,
    clientId,
    timestamp,
    sessionIdentifier,
    principalIdentifier: principal,
    versionNumber,
    thingName,
  });
}

function connectFailed(
  clientId: string,
  timestamp: number,
  reason: string,
  principal: string,
): LifecycleEvent {
  return lifecycleEvent({
    eventType: "connect_failed",
    clientId,
    timestamp,
    principalIdentifier: principal,
    connectFailureReason: reason,
  });
}

interface Timed {
  event: LifecycleEvent;
  real: number;
  client: number;
  seq: number;
}

function gapMs(plan: ConnectionPlan): number {
  if (plan.gapKind === "overlap") return 0;
  const [min, max] = GAP_RANGES[plan.gapKind];
  return min + (plan.gapSeed % (max - min + 1));
}

function buildClient(
  plan: ClientPlan,
  clientIndex: number,
  baseTime: number,
  out: Timed[],
): TrueClient {
  const { clientId, principal, thingName } = plan;
  let seq = 0;
  const push = (event: LifecycleEvent, real: number) => {
    out.push({ event, real, client: clientIndex, seq: seq++ });
  };
  const start0 = baseTime + plan.startOffsetMs;
  if (plan.connections.length === 0) {
    // A client that was only ever refused.
    const { reason, jitter } = plan.onlyFailure;
    push(connectFailed(clientId, start0 + jitter, reason, principal), start0);
    return { clientId, connections: [] };
  }

  const truth: TrueConnection[] = [];
  // Emits a finished connection's disconnect (unless the history lost it).
  const finish = (conn: TrueConnection, c: ConnectionPlan, takenOver: boolean) => {
    if (c.end === "lost" || conn.realEnd === null) return;
    const reason = takenOver ? "DUPLICATE_CLIENTID" : c.reason;
    conn.disconnectEmitted = true;
    push(
      {
        ...presence(
          "disconnected",
          clientId,
          conn.realEnd + c.disconnectJitter,
          conn.sessionIdentifier,
          conn.versionNumber,
          principal,
          thingName,
        ),
        disconnectReason: reason,
        clientInitiatedDisconnect:
          reason === null ? null : reason === "CLIENT_INITIATED_DISCONNECT",
      },
      conn.realEnd,
    );
  };

  let session = "";
  let sessions = 0;
  let version = plan.firstVersion;
  let previous: { conn: TrueConnection; plan: ConnectionPlan } | null = null;

  for (const [i, c] of plan.connections.entries()) {
    const isLast = i === plan.connections.length - 1;
    const gap = previous === null ? 0 : gapMs(c);
    const previousEnd = previous?.conn.realEnd ?? start0;
    const start = previous === null ? start0 : previousEnd + gap;

    if (previous !== null) {
      // The previous connection's disconnect: before this connect, or (a
      // duplicate client ID takes over) a few ms after it.
      const takenOver = c.gapKind === "overlap";
      if (takenOver) previous.conn.realEnd = start + c.overlapMs;
      finish(previous.conn, previous.plan, takenOver);
    }

    if (c.failedBefore !== null) {
      const at =
        previous === null ? start - 500 : gap >= 2 ? previousEnd + Math.floor(gap / 2) : null;
      if (at !== null) {
        push(
          connectFailed(clientId, at + c.failedBefore.jitter, c.failedBefore.reason, principal),
          at,
        );
      }
    }

    // After more than an hour offline the version resets, unless a persistent
    // session with a longer TTL survived the gap (then session and version go on).
    const reset = previous !== null && c.gapKind === "long" && (c.clean || c.sessionExpired);
    if (previous === null || reset || c.clean) {
      // A clean session, or a persistent one whose TTL expired while offline.
      sessions += 1;
      session = `${c.sessionSeed.toString(16).padStart(8, "0")}-5e55-4${sessions
        .toString(16)
        .padStart(3, "0")}-8000-000000000000`;
    }
    if (reset) version = 0;
    else if (previous !== null) version += 1 + c.versionSkip;

    push(
      {
        ...presence(
          "connected",
          clientId,
          start + c.connectJitter,
          session,
          version,
          principal,
          thingName,
        ),
        ipAddress: c.ipAddress,
      },
      start,
    );

    for (const s of [...c.subscriptions].sort((a, b) => a.atPermille - b.atPermille)) {
      const at = start + Math.max(1, Math.floor((s.atPermille * c.durationMs) / 1000));
      push(
        lifecycleEvent({
          eventType: s.eventType,
          clientId,
          timestamp: at + s.jitter,
          sessionIdentifier: session,
          principalIdentifier: principal,
          thingName,
          topics: [...s.topics],
        }),
        at,
      );
    }

    const stillOnline = isLast && plan.lastStillOnline;
    const conn: TrueConnection = {
      clientId,
      sessionIdentifier: session,
      versionNumber: version,
      realStart: start,
      realEnd: stillOnline ? null : start + c.durationMs,
      disconnectEmitted: false,
    };
    truth.push(conn);
    previous = { conn, plan: c };
  }
  if (previous !== null) finish(previous.conn, previous.plan, false);
  return { clientId, connections: truth };
}

function buildScenario(baseTime: number, plans: ClientPlan[], granularityMs: number): Scenario {
  const timed: Timed[] = [];
  const clients = plans.map((p, i) => buildClient(p, i, baseTime, timed));
  timed.sort((a, b) => a.real - b.real || a.client - b.client || a.seq - b.seq);
  const coarse = (t: number) => Math.floor(t / granularityMs) * granularityMs;
  return {
    events: timed.map((t) =>
      granularityMs > 1 ? { ...t.event, timestamp: coarse(t.event.timestamp) } : t.event,
    ),
    realTimes: timed.map((t) => t.real),
    clients,
    endsAt: timed.reduce((max, t) => Math.max(max, t.real), baseTime),
  };
}

/** A history together with what really happened (for oracle properties). */
export function scenarioArbitrary(options: HistoryOptions = {}): fc.Arbitrary<Scenario> {
  const maxClients = Math.max(1, options.maxClients ?? 3);
  const maxConnections = Math.max(1, options.maxConnectionsPerClient ?? 6);
  const jitterMs = Math.max(0, options.jitterMs ?? TIMESTAMP_TOLERANCE_MS);
  const granularityMs = Math.max(1, Math.floor(options.timestampGranularityMs ?? 1));
  return fc
    .tuple(
      // 2023-11 .. 2027-01: plausible epoch milliseconds.
      fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
      fc.uniqueArray(clientPlanArbitrary(jitterMs, maxConnections), {
        minLength: 1,
        maxLength: maxClients,
        selector: (p) => p.clientId,
      }),
    )
    .map(([baseTime, plans]) => buildScenario(baseTime, plans, granularityMs));
}

/**
 * Realistic in-order histories: lifecycle events of 1..maxClients clients,
 * in real-time order, timestamps jittered by up to ±2 min.
 */
export function historyArbitrary(options: HistoryOptions = {}): fc.Arbitrary<LifecycleEvent[]> {
  return scenarioArbitrary(options).map((s) => s.events);
}

/** Wraps events as received, all at one server time. */
export function receivedInOrder(
  events: readonly LifecycleEvent[],
  receivedAt: number,
): ReceivedEvent[] {
  return events.map((event) => ({ event, receivedAt }));
}

/** The latest event timestamp of a history (0 for none). */
export function latestTimestamp(events: readonly LifecycleEvent[]): number {
  return events.reduce((max, e) => Math.max(max, e.timestamp), 0);
}

/**
 * Any delivery of `items`: every permutation, with any of them delivered
 * more than once (each copy a structural clone: duplicates are equal, not
 * the same object).
 */
export function deliveryArbitrary<T>(
  items: readonly T[],
  options: { maxDuplicates?: number } = {},
): fc.Arbitrary<T[]> {
  if (items.length === 0) return fc.constant([]);
  const maxDuplicates = options.maxDuplicates ?? items.length;
  return fc
    .array(fc.nat({ max: items.length - 1 }), { maxLength: maxDuplicates })
    .chain((duplicated) => {
      const all = [...items, ...duplicated.map((i) => structuredClone(items[i] as T))];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}

/** An ID the default INFRASTRUCTURE_CLIENT_IDS matches: that client is not part of the fleet. */
export const INFRA_CLIENT_ID = "fleet-presence-bridge-x";

/** `events`, or (drawn at random) them with the first event's client renamed to INFRA_CLIENT_ID. */
export function maybeInfraArbitrary<E extends { clientId: string }>(
  events: readonly E[],
): fc.Arbitrary<E[]> {
  return fc
    .boolean()
    .map((infra) =>
      events.map((e) =>
        infra && e.clientId === events[0]?.clientId ? { ...e, clientId: INFRA_CLIENT_ID } : e,
      ),
    );
}
