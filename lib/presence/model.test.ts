// Example tests: one or more per rule of docs/model.md "Derived model".
import { describe, expect, it } from "vitest";
import { CONFIG, GRACE, lifecycleEvent } from "../../test/support/presence-arbitraries";
import {
  applyEvent,
  compareSubscriptionStates,
  connectionKey,
  connectionTime,
  currentConnection,
  emptyHistory,
  foldEvents,
  isFlapping,
  lifecycleEventKey,
  mergeIntoConnection,
  pendingUntil,
  presenceStatus,
  statusSince,
  subscriptionStatesOf,
  summarize,
  TIMESTAMP_TOLERANCE_MS,
  timeline,
  type ClientHistory,
  type ClientSummary,
  type Connection,
  type LifecycleEvent,
  type PresenceConfig,
  type SubscriptionState,
} from "./index";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const CLIENT = "fleet/truck 7/gps";

type Extra = Partial<LifecycleEvent>;

function event(
  eventType: LifecycleEvent["eventType"],
  timestamp: number,
  extra: Extra = {},
): LifecycleEvent {
  return lifecycleEvent({
    eventType,
    clientId: CLIENT,
    timestamp,
    sessionIdentifier: "s-1",
    principalIdentifier: "principal-1",
    ...extra,
  });
}
const connected = (versionNumber: number, timestamp: number, extra: Extra = {}) =>
  event("connected", timestamp, { versionNumber, ipAddress: "192.0.2.1", ...extra });
const disconnected = (versionNumber: number, timestamp: number, extra: Extra = {}) =>
  event("disconnected", timestamp, {
    versionNumber,
    disconnectReason: "CONNECTION_LOST",
    clientInitiatedDisconnect: false,
    ...extra,
  });
const subscribed = (topics: string[], timestamp: number, extra: Extra = {}) =>
  event("subscribed", timestamp, { topics, ...extra });
const unsubscribed = (topics: string[], timestamp: number, extra: Extra = {}) =>
  event("unsubscribed", timestamp, { topics, ...extra });
const connectFailed = (timestamp: number, extra: Extra = {}) =>
  event("connect_failed", timestamp, {
    sessionIdentifier: null,
    connectFailureReason: "AUTHORIZATION_FAILED",
    ...extra,
  });

/** Every order of a few events. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** One client's history after receiving `events` in this order, all at `receivedAt`. */
function history(events: readonly LifecycleEvent[], receivedAt: number): ClientHistory {
  const h = emptyHistory(CLIENT);
  for (const e of events) applyEvent(h, { event: e, receivedAt });
  return h;
}

function read(h: ClientHistory, now: number, config: PresenceConfig = CONFIG): ClientSummary {
  return summarize(h, now, config);
}

/** The summary at `now` must be the same for every arrival order. */
function readInEveryOrder(
  events: readonly LifecycleEvent[],
  receivedAt: number,
  now: number,
): ClientSummary {
  const [first, ...rest] = permutations(events).map((order) =>
    read(history(order, receivedAt), now),
  );
  for (const other of rest) expect(other).toEqual(first);
  return first as ClientSummary;
}

function only<T>(items: Iterable<T>): T {
  const all = [...items];
  expect(all).toHaveLength(1);
  return all[0] as T;
}

describe("connections: one per (clientId, sessionIdentifier, versionNumber)", () => {
  it("the connect fills the start and the disconnect the end, in whichever order they arrive", () => {
    const c = connected(3, T0, { thingName: "Truck7" });
    const d = disconnected(3, T0 + MINUTE, { disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT" });
    const a = only(history([c, d], T0 + 2 * MINUTE).connections.values());
    const b = only(history([d, c], T0 + 2 * MINUTE).connections.values());
    expect(b).toEqual(a);
    expect(a).toEqual({
      clientId: CLIENT,
      sessionIdentifier: "s-1",
      versionNumber: 3,
      connectedAt: T0,
      disconnectedAt: T0 + MINUTE,
      disconnectReceivedAt: T0 + 2 * MINUTE,
      disconnectReason: "MQTT_KEEP_ALIVE_TIMEOUT",
      clientInitiatedDisconnect: false,
      principalIdentifier: "principal-1",
      ipAddress: "192.0.2.1",
      thingName: "Truck7",
    } satisfies Connection);
    expect(connectionTime(a)).toBe(T0);
  });

  it("a connection known only by its disconnect has the disconnect's time", () => {
    const c = mergeIntoConnection(undefined, disconnected(3, T0 + MINUTE), T0 + MINUTE);
    expect(c.connectedAt).toBeNull();
    expect(connectionTime(c)).toBe(T0 + MINUTE);
  });

  it("same version, other session, or other client: a different connection", () => {
    const h = history(
      [connected(3, T0), connected(3, T0, { sessionIdentifier: "s-2" }), connected(4, T0)],
      T0,
    );
    expect(h.connections.size).toBe(3);
  });

  it("keys are unambiguous for client IDs with slashes, quotes and unicode", () => {
    const key = (clientId: string, sessionIdentifier: string) =>
      connectionKey({ clientId, sessionIdentifier, versionNumber: 1 });
    expect(key("a", "b/c")).not.toBe(key("a/b", "c"));
    expect(key('a","b', "c")).not.toBe(key("a", 'b","c'));
    expect(key("设备/1", "s")).toBe(key("设备/1", "s"));
  });

  it("the merge is commutative and idempotent: earliest connect, latest disconnect, first receipt", () => {
    // (Two connects or disconnects of one connection only differ in hypothetical
    // inputs; the rule still has to pick the same winner in any order.)
    const events = [
      connected(1, T0 + 5 * SECOND, { ipAddress: "198.51.100.7" }),
      connected(1, T0, { ipAddress: "192.0.2.1" }),
      disconnected(1, T0 + MINUTE, { disconnectReason: "CONNECTION_LOST" }),
      disconnected(1, T0 + 2 * MINUTE, { disconnectReason: "SERVER_INITIATED_DISCONNECT" }),
    ];
    for (const order of permutations(events)) {
      let c: Connection | undefined;
      order.forEach((e, i) => {
        c = mergeIntoConnection(c, e, T0 + 3 * MINUTE + i * SECOND);
        c = mergeIntoConnection(c, e, T0 + 10 * MINUTE); // a late duplicate
      });
      const firstDisconnect = order.findIndex((e) => e.eventType === "disconnected");
      expect(c).toMatchObject({
        connectedAt: T0,
        ipAddress: "192.0.2.1",
        disconnectedAt: T0 + 2 * MINUTE,
        disconnectReason: "SERVER_INITIATED_DISCONNECT",
        // The grace period starts at the first receipt of any disconnect of the connection.
        disconnectReceivedAt: T0 + 3 * MINUTE + firstDisconnect * SECOND,
      });
    }
  });

  it("older payloads without disconnectReason or ipAddress are accepted; unknown reasons are kept", () => {
    const old = history(
      [
        connected(1, T0, { ipAddress: null }),
        disconnected(1, T0 + MINUTE, { disconnectReason: null, clientInitiatedDisconnect: true }),
      ],
      T0 + MINUTE,
    );
    expect(only(old.connections.values())).toMatchObject({
      ipAddress: null,
      disconnectReason: null,
      clientInitiatedDisconnect: true,
    });
    const future = history([disconnected(1, T0, { disconnectReason: "QUANTUM_FLUX" })], T0);
    expect(only(future.connections.values()).disconnectReason).toBe("QUANTUM_FLUX");
  });

  it("the connect is the authority on who connected from where", () => {
    const c = connected(1, T0, { principalIdentifier: "from-connect", thingName: "A" });
    const d = disconnected(1, T0 + MINUTE, {
      principalIdentifier: "from-disconnect",
      thingName: "B",
    });
    for (const order of [
      [c, d],
      [d, c],
    ]) {
      expect(only(history(order, T0).connections.values())).toMatchObject({
        principalIdentifier: "from-connect",
        thingName: "A",
      });
    }
  });

  it("rejects events that are not presence events, or lack session or version", () => {
    expect(() => mergeIntoConnection(undefined, subscribed(["a"], T0), T0)).toThrow(/presence/);
    expect(() =>
      mergeIntoConnection(undefined, event("connected", T0, { versionNumber: null }), T0),
    ).toThrow(/versionNumber/);
    expect(() =>
      mergeIntoConnection(undefined, connected(1, T0, { sessionIdentifier: null }), T0),
    ).toThrow(/sessionIdentifier/);
  });
});

describe("current connection", () => {
  it("flap: the old connection's disconnect arrives last with a later timestamp; the client stays online on the newer version", () => {
    // v5's disconnect is stamped 90 s after v6's connect (±2 min clock accuracy).
    const v5connect = connected(5, T0);
    const v6connect = connected(6, T0 + MINUTE);
    const v5disconnect = disconnected(5, T0 + MINUTE + 90 * SECOND, {
      disconnectReason: "DUPLICATE_CLIENTID",
    });
    const h = history([v5connect, v6connect, v5disconnect], T0 + 3 * MINUTE);
    const s = read(h, T0 + 3 * MINUTE);
    expect(s.current).toMatchObject({ versionNumber: 6, disconnectedAt: null });
    expect(s.status).toBe("online");
    expect(s.since).toBe(T0 + MINUTE);
    // Any arrival order, read inside and after the grace period.
    for (const now of [T0 + 3 * MINUTE, T0 + 3 * MINUTE + GRACE, T0 + HOUR]) {
      expect(
        readInEveryOrder([v5connect, v6connect, v5disconnect], T0 + 3 * MINUTE, now).status,
      ).toBe("online");
    }
  });

  it("flap: the newer connection's connect may even be stamped before the older one's", () => {
    const h = history(
      [connected(11, T0 - 90 * SECOND), connected(10, T0), disconnected(10, T0 + SECOND)],
      T0,
    );
    expect(read(h, T0).current?.versionNumber).toBe(11);
    expect(read(h, T0).status).toBe("online");
  });

  it("version reset: after an hour offline the new v0 connection wins over the old v42", () => {
    const events = [
      connected(42, T0),
      disconnected(42, T0 + 10 * MINUTE),
      connected(0, T0 + 10 * MINUTE + 70 * MINUTE, { sessionIdentifier: "s-2" }),
    ];
    const s = readInEveryOrder(events, T0 + 2 * HOUR, T0 + 2 * HOUR);
    expect(s.current).toMatchObject({ versionNumber: 0, sessionIdentifier: "s-2" });
    expect(s.status).toBe("online");
    // The reset connection also wins once it has ended.
    const ended = [...events, disconnected(0, T0 + 2 * HOUR, { sessionIdentifier: "s-2" })];
    expect(readInEveryOrder(ended, T0 + 2 * HOUR, T0 + 3 * HOUR).current?.versionNumber).toBe(0);
  });

  it("the version-reset window: a connection at exactly T − W is still a candidate, 1 ms earlier it is not", () => {
    const W = CONFIG.versionResetWindowMs;
    const latest = mergeIntoConnection(undefined, connected(0, T0 + W), T0);
    const atEdge = mergeIntoConnection(undefined, connected(9, T0), T0);
    const beyond = mergeIntoConnection(undefined, connected(9, T0 - 1), T0);
    expect(currentConnection([latest, atEdge], W)?.versionNumber).toBe(9);
    expect(currentConnection([latest, beyond], W)?.versionNumber).toBe(0);
    expect(currentConnection([], W)).toBeUndefined();
  });

  it("ties on version: the later time wins, then the greater sessionIdentifier", () => {
    const a = mergeIntoConnection(undefined, connected(3, T0, { sessionIdentifier: "s-b" }), T0);
    const b = mergeIntoConnection(
      undefined,
      connected(3, T0 + 1, { sessionIdentifier: "s-a" }),
      T0,
    );
    const c = mergeIntoConnection(
      undefined,
      connected(3, T0 + 1, { sessionIdentifier: "s-c" }),
      T0,
    );
    expect(currentConnection([a, b], CONFIG.versionResetWindowMs)).toBe(b);
    expect(currentConnection([b, a], CONFIG.versionResetWindowMs)).toBe(b);
    expect(currentConnection([b, c, a], CONFIG.versionResetWindowMs)).toBe(c);
    expect(currentConnection([c, b, a], CONFIG.versionResetWindowMs)).toBe(c);
  });
});

describe("status (computed at read time)", () => {
  it("equal versions: connect then disconnect of one connection is online, then pending, then offline", () => {
    const c = connected(7, T0);
    const d = disconnected(7, T0 + 10 * MINUTE);
    const R = T0 + 10 * MINUTE + 200;
    expect(read(history([c], R), R).status).toBe("online");
    for (const order of [
      [c, d],
      [d, c],
    ]) {
      const h = history(order, R);
      expect(read(h, R).status).toBe("pending");
      expect(read(h, R + GRACE - 1).status).toBe("pending");
      expect(read(h, R + GRACE).status).toBe("offline");
      expect(read(h, R).since).toBe(T0 + 10 * MINUTE);
      expect(read(h, R).current?.versionNumber).toBe(7);
    }
  });

  it("the grace period runs from the server's receipt, not from the event's timestamp", () => {
    // Stamped 60 s before it was received (late, but within grace + 2 min tolerance).
    const R = T0 + HOUR;
    const h = history([connected(1, T0), disconnected(1, R - MINUTE)], R);
    expect(only(h.connections.values()).disconnectReceivedAt).toBe(R);
    expect(pendingUntil(read(h, R).current, CONFIG)).toBe(R + GRACE);
    expect(read(h, R).status).toBe("pending");
    expect(read(h, R + GRACE - 1).status).toBe("pending");
    expect(read(h, R + GRACE).status).toBe("offline");
  });

  it("a disconnect stamped in the future (clock skew) is pending for the grace period from receipt", () => {
    const R = T0 + HOUR;
    const h = history([connected(1, T0), disconnected(1, R + 2 * MINUTE)], R);
    expect(read(h, R + GRACE - 1).status).toBe("pending");
    expect(read(h, R + GRACE).status).toBe("offline");
  });

  it("a replayed backlog disconnect, older than grace + 2 min, is offline at once", () => {
    const R = T0 + HOUR;
    const old = history([connected(1, T0), disconnected(1, R - 10 * MINUTE)], R);
    expect(read(old, R).status).toBe("offline");

    // The boundary: exactly grace + tolerance old is not fresh; 1 s younger is, until that second passes.
    const edge = R - (GRACE + TIMESTAMP_TOLERANCE_MS);
    expect(read(history([connected(1, T0), disconnected(1, edge)], R), R).status).toBe("offline");
    const young = history([connected(1, T0), disconnected(1, edge + SECOND)], R);
    expect(read(young, R).status).toBe("pending");
    expect(read(young, R + SECOND - 1).status).toBe("pending");
    expect(read(young, R + SECOND).status).toBe("offline");
  });

  it("a redelivered disconnect does not restart the grace period", () => {
    const R = T0 + HOUR;
    const d = disconnected(1, R);
    const h = history([connected(1, T0), d], R);
    applyEvent(h, { event: structuredClone(d), receivedAt: R + 20 * SECOND });
    expect(only(h.connections.values()).disconnectReceivedAt).toBe(R);
    expect(read(h, R + GRACE).status).toBe("offline");
    // And an earlier receipt arriving second (another instance's clock) wins.
    applyEvent(h, { event: d, receivedAt: R - 5 * SECOND });
    expect(read(h, R + GRACE - 5 * SECOND).status).toBe("offline");
  });

  it("the grace period is configurable (OFFLINE_GRACE_SECONDS)", () => {
    const R = T0 + HOUR;
    const h = history([connected(1, T0), disconnected(1, R)], R);
    const config = { ...CONFIG, offlineGraceMs: 5 * SECOND };
    expect(read(h, R + 4_999, config).status).toBe("pending");
    expect(read(h, R + 5_000, config).status).toBe("offline");
  });

  it("online ignores the grace period; no connection at all is offline", () => {
    const h = history([connected(1, T0)], T0);
    expect(read(h, T0 + 365 * 24 * HOUR).status).toBe("online");
    expect(presenceStatus(undefined, T0, CONFIG)).toBe("offline");
    expect(statusSince(undefined)).toBeNull();
    expect(pendingUntil(read(h, T0).current, CONFIG)).toBeNull();
  });
});

describe("flapping: at least FLAP_THRESHOLD disconnects within FLAP_WINDOW_SECONDS", () => {
  /** n short connections, each disconnected, all within the last 9 minutes before `now`. */
  function flaps(n: number, now: number): LifecycleEvent[] {
    return Array.from({ length: n }, (_, i) => [
      connected(i + 1, now - 9 * MINUTE + i * MINUTE),
      disconnected(i + 1, now - 9 * MINUTE + i * MINUTE + 10 * SECOND),
    ]).flat();
  }
  const now = T0 + HOUR;

  it("5 disconnects in the window flap, 4 do not", () => {
    expect(read(history(flaps(5, now), now), now).flapping).toBe(true);
    expect(read(history(flaps(4, now), now), now).flapping).toBe(false);
  });

  it("flapping is a flag beside the status, even while online", () => {
    const events = [...flaps(5, now), connected(6, now - 10 * SECOND)];
    const s = read(history(events, now), now);
    expect(s).toMatchObject({ status: "online", flapping: true });
  });

  it("duplicates do not count twice", () => {
    const events = flaps(4, now);
    expect(
      read(history([...events, ...events.map((e) => structuredClone(e))], now), now).flapping,
    ).toBe(false);
  });

  it("disconnects at or before now − window are outside it", () => {
    const window = CONFIG.flapWindowMs;
    const h = history(flaps(5, now), now);
    const connections = [...h.connections.values()];
    const oldest = Math.min(...connections.map((c) => c.disconnectedAt ?? Infinity));
    expect(isFlapping(connections, oldest + window - 1, CONFIG)).toBe(true);
    expect(isFlapping(connections, oldest + window, CONFIG)).toBe(false);
  });

  it("threshold and window are configurable", () => {
    const connections = [...history(flaps(3, now), now).connections.values()];
    expect(isFlapping(connections, now, { ...CONFIG, flapThreshold: 3 })).toBe(true);
    expect(isFlapping(connections, now, { ...CONFIG, flapThreshold: 4 })).toBe(false);
    expect(
      isFlapping(connections, now, { ...CONFIG, flapThreshold: 3, flapWindowMs: 5 * MINUTE }),
    ).toBe(false);
  });
});

describe("subscriptions", () => {
  it("a persistent session keeps its subscriptions across a reconnect", () => {
    const events = [
      connected(1, T0),
      subscribed(["cmd/+/reboot", "dt/fleet/telemetry"], T0 + SECOND),
      disconnected(1, T0 + MINUTE),
      connected(2, T0 + MINUTE + 5 * SECOND), // same sessionIdentifier
    ];
    const s = readInEveryOrder(events, T0 + 2 * MINUTE, T0 + 2 * MINUTE);
    expect(s.current?.versionNumber).toBe(2);
    expect(s.subscriptions).toEqual(["cmd/+/reboot", "dt/fleet/telemetry"]);
  });

  it("a clean session's subscriptions end with it", () => {
    const events = [
      connected(1, T0),
      subscribed(["cmd/+/reboot", "dt/fleet/telemetry"], T0 + SECOND),
      disconnected(1, T0 + MINUTE),
      connected(2, T0 + MINUTE + 5 * SECOND, { sessionIdentifier: "s-2" }),
    ];
    expect(readInEveryOrder(events, T0 + 2 * MINUTE, T0 + 2 * MINUTE).subscriptions).toEqual([]);
    // ...and the new session's own subscriptions are shown.
    const resubscribed = [
      ...events,
      subscribed(["dt/fleet/telemetry"], T0 + MINUTE + 6 * SECOND, { sessionIdentifier: "s-2" }),
    ];
    expect(read(history(resubscribed, T0), T0 + 2 * MINUTE).subscriptions).toEqual([
      "dt/fleet/telemetry",
    ]);
  });

  it("the latest event wins by timestamp, not by arrival", () => {
    const events = [
      connected(1, T0),
      unsubscribed(["a/b"], T0 + 2 * SECOND),
      subscribed(["a/b"], T0 + SECOND),
    ];
    expect(readInEveryOrder(events, T0, T0).subscriptions).toEqual([]);
    const again = [
      connected(1, T0),
      subscribed(["a/b"], T0 + 3 * SECOND),
      unsubscribed(["a/b"], T0 + 2 * SECOND),
    ];
    expect(readInEveryOrder(again, T0, T0).subscriptions).toEqual(["a/b"]);
  });

  it("a tie on timestamp goes to unsubscribed, in either order", () => {
    const events = [
      connected(1, T0),
      subscribed(["a/b"], T0 + SECOND),
      unsubscribed(["a/b"], T0 + SECOND),
    ];
    expect(readInEveryOrder(events, T0, T0).subscriptions).toEqual([]);
    const sub: SubscriptionState = {
      clientId: CLIENT,
      topic: "a/b",
      eventType: "subscribed",
      timestamp: T0,
      sessionIdentifier: "s-1",
    };
    expect(compareSubscriptionStates({ ...sub, eventType: "unsubscribed" }, sub)).toBeGreaterThan(
      0,
    );
    expect(
      compareSubscriptionStates(
        { ...sub, timestamp: T0 + 1 },
        { ...sub, eventType: "unsubscribed" },
      ),
    ).toBeGreaterThan(0);
  });

  it("one event carries many topic filters; repeats count once; the list is sorted", () => {
    const e = subscribed(["z/#", "a/+", "z/#", "$aws/things/x/shadow/update"], T0);
    expect(subscriptionStatesOf(e).map((s) => s.topic)).toEqual([
      "z/#",
      "a/+",
      "$aws/things/x/shadow/update",
    ]);
    expect(read(history([connected(1, T0), e], T0), T0).subscriptions).toEqual([
      "$aws/things/x/shadow/update",
      "a/+",
      "z/#",
    ]);
    expect(subscriptionStatesOf(connected(1, T0))).toEqual([]);
  });

  it("no connection, no current subscriptions", () => {
    expect(read(history([subscribed(["a"], T0)], T0), T0).subscriptions).toEqual([]);
  });
});

describe("timeline", () => {
  it("a connection without disconnect that is not current ends, inferred, at the next connection's start", () => {
    const events = [
      connected(1, T0),
      // v1's disconnect never arrives
      connected(2, T0 + 5 * MINUTE),
      disconnected(2, T0 + 6 * MINUTE, { disconnectReason: "CLIENT_INITIATED_DISCONNECT" }),
      connected(3, T0 + 7 * MINUTE),
    ];
    const s = readInEveryOrder(events, T0 + 8 * MINUTE, T0 + 8 * MINUTE);
    expect(s.current?.versionNumber).toBe(3);
    expect(s.timeline.map((t) => [t.versionNumber, t.endInferred, t.endedAt])).toEqual([
      [1, true, T0 + 5 * MINUTE],
      [2, false, T0 + 6 * MINUTE],
      [3, false, null],
    ]);
    expect(s.timeline[0]?.disconnectedAt).toBeNull();
  });

  it("the current connection without disconnect is open, not inferred", () => {
    const s = read(history([connected(1, T0)], T0), T0);
    expect(s.timeline).toEqual([{ ...s.current, endInferred: false, endedAt: null }]);
  });

  it("oldest first, by time; equal times by version", () => {
    const a = mergeIntoConnection(undefined, connected(4, T0), T0);
    const b = mergeIntoConnection(undefined, connected(3, T0), T0);
    const c = mergeIntoConnection(undefined, connected(9, T0 - HOUR), T0);
    expect(timeline([a, b, c], a).map((t) => t.versionNumber)).toEqual([9, 3, 4]);
  });

  it("a non-current connection with no disconnect and nothing after it in time ends, inferred, where it starts", () => {
    // Clock skew puts v5's connect after v6's; v6 is current (higher version),
    // so v5 was over before v6 began: it is never drawn as open beside v6.
    const s = readInEveryOrder(
      [connected(5, T0 + MINUTE), connected(6, T0)],
      T0 + MINUTE,
      T0 + MINUTE,
    );
    expect(s.current?.versionNumber).toBe(6);
    expect(s.timeline.map((t) => [t.versionNumber, t.endInferred, t.endedAt])).toEqual([
      [6, false, null],
      [5, true, T0 + MINUTE],
    ]);
  });
});

describe("connect_failed", () => {
  it("opens no connection; the attempt is counted; the client is offline", () => {
    const h = history([connectFailed(T0)], T0);
    expect(h.connections.size).toBe(0);
    expect(h.failedAttempts).toBe(1);
    const s = read(h, T0);
    expect(s).toMatchObject({
      status: "offline",
      flapping: false,
      since: null,
      current: undefined,
    });
    expect(s.subscriptions).toEqual([]);
    expect(s.timeline).toEqual([]);
  });

  it("does not disturb the current connection, even with a version number", () => {
    const events = [
      connected(1, T0),
      connectFailed(T0 + MINUTE, { versionNumber: 99, sessionIdentifier: "s-9" }),
    ];
    const s = readInEveryOrder(events, T0, T0 + MINUTE);
    expect(s).toMatchObject({ status: "online", current: { versionNumber: 1 } });
  });

  it("a duplicate attempt counts once; distinct attempts count each", () => {
    const f = connectFailed(T0);
    const h = history([f, structuredClone(f), f, connectFailed(T0 + SECOND)], T0);
    expect(h.failedAttempts).toBe(2);
    expect(lifecycleEventKey(f)).toBe(lifecycleEventKey(structuredClone(f)));
    expect(lifecycleEventKey(f)).not.toBe(
      lifecycleEventKey({ ...f, connectFailureReason: "CLIENT_ERROR" }),
    );
  });
});

describe("foldEvents", () => {
  it("keeps one history per client ID, odd IDs included", () => {
    const ids = ["truck/07/gps", "sensor 4", "设备/北京/1", "emoji-🚚", "x".repeat(128)];
    const clients = foldEvents(
      ids.flatMap((clientId, i) => [
        { event: connected(i, T0, { clientId }), receivedAt: T0 },
        { event: subscribed([`t/${i}`], T0 + 1, { clientId }), receivedAt: T0 },
      ]),
    );
    expect([...clients.keys()]).toEqual(ids);
    ids.forEach((id, i) => {
      const s = summarize(clients.get(id) as ClientHistory, T0, CONFIG);
      expect(s).toMatchObject({ clientId: id, status: "online", subscriptions: [`t/${i}`] });
    });
  });
});
