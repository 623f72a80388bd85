// A database at scale for the query, CSV and availability suites: 100,000
// clients (`--scale 1m`: 1,000,000), each with 10 connections over the last
// 30 days (1,000,000 connections; ~2,030,000 lifecycle events: connects,
// disconnects, current subscriptions), their derived client_state, 2
// subscriptions each, a few refused attempts and labels (site, customer, fw;
// plus an inventory of 1% never seen), loaded with COPY in about a minute.
// Statuses are mixed: ~70% online, ~3% pending, the rest offline; 2% flap (6
// short connections in the last 10 minutes). Client IDs are
// `dev-g<d>-<nnnnnn>`, d = n mod 10, so `q=-g3-` selects exactly a tenth of
// the fleet. The rollups (online chart, availability) are built from the
// loaded rows by the app's own rebuilds (scale-kept.ts).
import { TOPIC_PREFIXES } from "../../lib/ingest/schemas";
import type { ScaleName } from "../lib/context";
import { copyRow } from "../lib/copy";

export interface ScaleOptions {
  clients: number;
  connectionsPerClient: number;
}

export function scaleOptions(smoke: boolean, scale: ScaleName = "100k"): ScaleOptions {
  if (smoke) return { clients: 2_000, connectionsPerClient: 10 };
  return { clients: scale === "1m" ? 1_000_000 : 100_000, connectionsPerClient: 10 };
}

export interface ScaleCounts {
  clients: number;
  connections: number;
  events: number;
  subscriptions: number;
  failures: number;
  labels: number;
}

const DAY = 86_400_000;
const REASONS = [
  "CONNECTION_LOST",
  "CLIENT_INITIATED_DISCONNECT",
  "MQTT_KEEP_ALIVE_TIMEOUT",
  "SERVER_INITIATED_DISCONNECT",
];

export const scaleClientId = (n: number) => `dev-g${n % 10}-${String(n).padStart(6, "0")}`;

interface Conn {
  session: string;
  version: number;
  start: number;
  end: number | null;
  received: number | null;
  reason: string;
}

/** Connection k of client n: statuses, flapping and times follow from n and k alone. */
function connectionOf(n: number, k: number, perClient: number, now: number): Conn {
  const id = scaleClientId(n);
  const r = (n * 7919) % 100;
  const status = r < 70 ? "online" : r < 73 ? "pending" : "offline";
  const flapping = n % 50 === 7;
  const span = (30 * DAY) / perClient;
  let start: number;
  let end: number | null;
  if (flapping && k >= perClient - 6) {
    start = now - 10 * 60_000 + (k - (perClient - 6)) * 90_000 + (n % 1000);
    end = start + 45_000;
  } else {
    start = now - 30 * DAY + k * span + (n % 1000) * 60_000;
    end = start + span * (0.2 + (n % 5) * 0.1);
  }
  const last = k === perClient - 1;
  if (last && status === "online") end = null;
  if (last && status === "pending" && !flapping) end = now - 5_000;
  const reason = REASONS[(n + k) % REASONS.length]!;
  return {
    session: `s-${id}-${k}`,
    version: k,
    start,
    end,
    received: end === null ? null : end + 150,
    reason,
  };
}

function connectionsOf(n: number, perClient: number, now: number): Conn[] {
  return Array.from({ length: perClient }, (_, k) => connectionOf(n, k, perClient, now));
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

// Rows go in roughly in time order (connection k of every client, then k+1),
// as ingest would have written them: recent rows sit together at the end of
// the table, which is what time-range scans meet in production. Written as
// text directly (nothing here needs COPY escapes): at 20,000,000 events the
// generator, not PostgreSQL, would otherwise set the pace. The dedupe key is
// unique per event but not the payload's hash (ingest never sees these rows).
function* eventRows(o: ScaleOptions, now: number): Generator<string> {
  const last = o.connectionsPerClient - 1;
  for (let k = 0; k < o.connectionsPerClient; k += 1) {
    for (let n = 0; n < o.clients; n += 1) {
      const id = scaleClientId(n);
      const c = connectionOf(n, k, o.connectionsPerClient, now);
      const principal = `principal-${id}`;
      const key = `${n.toString(16).padStart(8, "0")}-${k.toString(16).padStart(4, "0")}-400`;
      const common = `"clientId":"${id}","sessionIdentifier":"${c.session}","principalIdentifier":"${principal}"`;
      const ip = `10.${n % 250}.${k8(n)}.${c.version + 1}`;
      yield `${key}0-8000-000000000000\t${id}\tconnected\t${iso(c.start)}\t${iso(c.start + 120)}\t${c.session}\t${principal}\t${c.version}\t${TOPIC_PREFIXES.connected}${id}\t{${common},"versionNumber":${c.version},"timestamp":${c.start},"eventType":"connected","ipAddress":"${ip}"}\n`;
      if (k === last) {
        // The current session's subscriptions, as in subscription_state.
        const at = c.start + 50;
        yield `${key}1-8000-000000000000\t${id}\tsubscribed\t${iso(at)}\t${iso(at + 120)}\t${c.session}\t${principal}\t\\N\t${TOPIC_PREFIXES.subscribed}${id}\t{${common},"timestamp":${at},"eventType":"subscribed","topics":["fleet/${id}/cmd","fleet/broadcast"]}\n`;
      }
      if (c.end !== null) {
        yield `${key}2-8000-000000000000\t${id}\tdisconnected\t${iso(c.end)}\t${iso(c.received)}\t${c.session}\t${principal}\t${c.version}\t${TOPIC_PREFIXES.disconnected}${id}\t{${common},"versionNumber":${c.version},"timestamp":${c.end},"eventType":"disconnected","clientInitiatedDisconnect":${c.reason === "CLIENT_INITIATED_DISCONNECT"},"disconnectReason":"${c.reason}"}\n`;
      }
    }
  }
}

const k8 = (n: number) => Math.floor(n / 250) % 250;

/**
 * The columns a connection row and a client_state row share, in that order:
 * client, session, version, start, end, received, reason, by the client,
 * principal, IP address, thing name.
 */
function connectionColumns(n: number, c: Conn) {
  const id = scaleClientId(n);
  return [
    id,
    c.session,
    c.version,
    iso(c.start),
    iso(c.end),
    iso(c.received),
    c.end === null ? null : c.reason,
    c.end === null ? null : c.reason === "CLIENT_INITIATED_DISCONNECT",
    `principal-${id}`,
    `10.${n % 250}.${k8(n)}.${c.version + 1}`,
    null,
  ];
}

function* connectionRows(o: ScaleOptions, now: number): Generator<string> {
  for (let k = 0; k < o.connectionsPerClient; k += 1) {
    for (let n = 0; n < o.clients; n += 1) {
      const c = connectionOf(n, k, o.connectionsPerClient, now);
      yield copyRow(connectionColumns(n, c));
    }
  }
}

function* clientStateRows(o: ScaleOptions, now: number): Generator<string> {
  for (let n = 0; n < o.clients; n += 1) {
    const conns = connectionsOf(n, o.connectionsPerClient, now);
    const cur = conns[conns.length - 1]!;
    const lastEnd = Math.max(...conns.map((c) => c.end ?? 0));
    const lastEvent = Math.max(cur.start, lastEnd);
    yield copyRow([
      ...connectionColumns(n, cur),
      iso(cur.start),
      iso(lastEnd || null),
      iso(lastEvent),
      iso(conns[0]!.start),
      iso(lastEvent + 150),
      iso(conns[0]!.start),
    ]);
  }
}

function* subscriptionRows(o: ScaleOptions, now: number): Generator<string> {
  for (let n = 0; n < o.clients; n += 1) {
    const id = scaleClientId(n);
    const conns = connectionsOf(n, o.connectionsPerClient, now);
    const cur = conns[conns.length - 1]!;
    for (const topic of [`fleet/${id}/cmd`, "fleet/broadcast"])
      yield copyRow([id, topic, "subscribed", iso(cur.start + 50), cur.session]);
  }
}

function* failureRows(o: ScaleOptions, now: number): Generator<string> {
  let eventId = 1_000_000_000;
  for (let n = 0; n < o.clients; n += 100) {
    const id = scaleClientId(n);
    for (let k = 0; k < 3; k += 1)
      yield copyRow([
        eventId++,
        id,
        iso(now - (k + 1) * DAY),
        "AUTHORIZATION_FAILED",
        `principal-${id}`,
        "192.0.2.99",
      ]);
  }
}

/**
 * Labels with realistic cardinalities: a site per ~500 clients (95% carry
 * one), its customer (a customer per 10 sites; 80% carry it), and one of 6
 * firmware versions, skewed as rollouts are (40% on the newest). The
 * inventory (1% more, `inv-<nnnnnn>`) has labels but no event: never_seen.
 */
export function labelsOf(n: number, o: ScaleOptions): [string, string][] {
  const sites = labelCardinality(o).sites;
  const h = (n * 2_654_435_761) % 2 ** 32;
  const site = (n * 7_919) % sites;
  const labels: [string, string][] = [["fw", FIRMWARE.find(([share]) => h % 100 < share)![1]]];
  if (h % 20 !== 0) labels.push(["site", siteLabel(site)]);
  if (h % 5 !== 1) labels.push(["customer", customerLabel(site % Math.max(1, sites / 10))]);
  return labels;
}

const FIRMWARE: [number, string][] = [
  [40, "4.2.1"],
  [70, "4.2.0"],
  [85, "4.1.3"],
  [93, "4.1.0"],
  [97, "3.9.8"],
  [100, "3.9.2"],
];
export const siteLabel = (i: number) => `site-${String(i).padStart(4, "0")}`;
export const customerLabel = (i: number) => `cust-${String(i).padStart(3, "0")}`;
export const inventoryClientId = (i: number) => `inv-${String(i).padStart(6, "0")}`;

export function labelCardinality(o: ScaleOptions): { sites: number; inventory: number } {
  return {
    sites: Math.max(10, Math.round(o.clients / 500)),
    inventory: Math.round(o.clients / 100),
  };
}

function* labelRows(o: ScaleOptions): Generator<string> {
  for (let n = 0; n < o.clients; n += 1)
    for (const [key, value] of labelsOf(n, o)) yield copyRow([scaleClientId(n), key, value]);
  const { inventory } = labelCardinality(o);
  for (let i = 0; i < inventory; i += 1)
    for (const [key, value] of labelsOf(i, o)) yield copyRow([inventoryClientId(i), key, value]);
}

export const COPIES: {
  table: string;
  columns: string;
  rows: (o: ScaleOptions, now: number) => Generator<string>;
  key: keyof ScaleCounts;
}[] = [
  {
    table: "client_state",
    key: "clients",
    rows: clientStateRows,
    columns:
      "client_id, session_identifier, version_number, connected_at, disconnected_at, disconnect_received_at, disconnect_reason, client_initiated_disconnect, principal_identifier, ip_address, thing_name, last_connected_at, last_disconnected_at, last_event_at, first_seen_at, updated_at, first_event_at",
  },
  {
    table: "connection",
    key: "connections",
    rows: connectionRows,
    columns:
      "client_id, session_identifier, version_number, connected_at, disconnected_at, disconnect_received_at, disconnect_reason, client_initiated_disconnect, principal_identifier, ip_address, thing_name",
  },
  {
    table: "lifecycle_event",
    key: "events",
    rows: eventRows,
    columns:
      "dedupe_key, client_id, event_type, event_at, received_at, session_identifier, principal_identifier, version_number, topic, raw",
  },
  {
    table: "subscription_state",
    key: "subscriptions",
    rows: subscriptionRows,
    columns: "client_id, topic, event_type, event_at, session_identifier",
  },
  {
    table: "connect_failure",
    key: "failures",
    rows: failureRows,
    columns: "event_id, client_id, failed_at, reason, principal_identifier, ip_address",
  },
  {
    table: "client_label",
    key: "labels",
    rows: labelRows,
    columns: "client_id, key, value",
  },
];
