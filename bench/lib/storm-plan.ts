// The reconnect storm's plan, shared by the publisher process, the preload
// and the final check: which devices exist, the version each is connected
// with before the storm, and the order and time of every storm event. Pure
// and deterministic, so the three agree without talking to each other.
import { connected, disconnected, envelope, subscribed } from "../../test/support/events";
import type { Message } from "./publisher";

export interface StormShape {
  devices: number;
  /** Every device disconnects within this many seconds of the start… */
  disconnectSeconds: number;
  /** …and reconnects (connect, then subscribe) over this many seconds after that. */
  reconnectSeconds: number;
}

export const STORM_PREFIX = "st-";

/** 10 characters: a 500-event batch's IDs fit ingest's NOTIFY payload cap, so the stream may push them. */
export function stormDeviceId(n: number): string {
  return `${STORM_PREFIX}${String(n).padStart(7, "0")}`;
}

/** The version a device is connected with before the storm (varied, so a mix-up shows). */
export function preloadVersion(n: number): number {
  return 1 + ((n * 31) % 97);
}

/** The SQL twin of preloadVersion for a `client_id` column, for the final check. */
export const PRELOAD_VERSION_SQL = `(1 + (substr(client_id, ${STORM_PREFIX.length + 1})::bigint * 31) % 97)`;

export const sessionOf = (id: string, version: number) => `s-${id}-${version}`;
export const topicsOf = (id: string) => [`fleet/${id}/cmd`, "fleet/broadcast"];

export const stormEvents = (shape: StormShape) => shape.devices * 3;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** i ↦ (i·step + offset) mod n with step coprime to n: a cheap shuffle of 0..n-1. */
function permutation(n: number, seed: number): (i: number) => number {
  let step = (seed % n) + 1;
  while (gcd(step, n) !== 1) step += 1;
  const offset = (seed * 7) % n;
  return (i) => (i * step + offset) % n;
}

export interface PlannedEvent {
  /** Milliseconds after the start when the event is due. */
  dueMs: number;
  device: number;
  kind: "disconnected" | "connected" | "subscribed";
}

/**
 * Storm event k (0 ≤ k < 3·devices): first every device's disconnect, spread
 * evenly over disconnectSeconds in a shuffled order, then each device's
 * connect and subscribe, back to back, spread over reconnectSeconds in
 * another order. A device's reconnect always comes after its disconnect.
 */
export function plannedEvent(shape: StormShape, k: number): PlannedEvent {
  const n = shape.devices;
  if (k < n) {
    return {
      dueMs: (k / n) * shape.disconnectSeconds * 1000,
      device: permutation(n, 1_000_003)(k),
      kind: "disconnected",
    };
  }
  const pair = Math.floor((k - n) / 2);
  return {
    dueMs: (shape.disconnectSeconds + (pair / n) * shape.reconnectSeconds) * 1000,
    device: permutation(n, 7_919)(pair),
    kind: (k - n) % 2 === 0 ? "connected" : "subscribed",
  };
}

/** How many storm events are due `elapsedMs` after the start. */
export function dueCount(shape: StormShape, elapsedMs: number): number {
  const n = shape.devices;
  const d = shape.disconnectSeconds * 1000;
  if (elapsedMs < d) return Math.min(n, Math.floor((elapsedMs / d) * n) + 1);
  const pairs = Math.floor(((elapsedMs - d) / (shape.reconnectSeconds * 1000)) * n) + 1;
  return n + 2 * Math.min(n, pairs);
}

/**
 * The AWS lifecycle message of a planned event, stamped `at` (the moment it
 * is published: the SSE client times delivery against it). The disconnect
 * ends the preloaded connection (its version); the connect starts the next.
 */
export function stormMessage(e: PlannedEvent, at: number): Message {
  const id = stormDeviceId(e.device);
  const before = preloadVersion(e.device);
  const env =
    e.kind === "disconnected"
      ? envelope(
          disconnected(id, at, before, {
            sessionIdentifier: sessionOf(id, before),
            disconnectReason: "SERVER_INITIATED_DISCONNECT",
          }),
        )
      : e.kind === "connected"
        ? envelope(connected(id, at, before + 1, { sessionIdentifier: sessionOf(id, before + 1) }))
        : envelope(
            subscribed(id, at, topicsOf(id), { sessionIdentifier: sessionOf(id, before + 1) }),
          );
  return { topic: env.topic, payload: JSON.stringify(env.payload) };
}
