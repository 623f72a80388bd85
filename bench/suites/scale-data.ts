// A database at scale for the query and CSV suites: 100,000 clients, each with
// 10 connections over the last 30 days (1,000,000 connections; ~2,030,000
// lifecycle events: connects, disconnects, current subscriptions), their derived client_state, 2 subscriptions each and a
// few refused attempts, loaded with COPY in about a minute. Statuses are
// mixed: ~70% online, ~3% pending, the rest offline; 2% flap (6 short
// connections in the last 10 minutes). Client IDs are `dev-g<d>-<nnnnnn>`,
// d = n mod 10, so `q=-g3-` selects exactly a tenth of the fleet.
import { dedupeKeyOf } from "../../lib/ingest/parse";
import { TOPIC_PREFIXES } from "../../lib/ingest/schemas";
import type { SuiteContext } from "../lib/context";
import { chunked, copyFrom, copyRow } from "../lib/copy";
import { withClient, type ScratchDatabase } from "../lib/database";

export interface ScaleOptions {
  clients: number;
  connectionsPerClient: number;
}

export function scaleOptions(smoke: boolean): ScaleOptions {
  return smoke
    ? { clients: 2_000, connectionsPerClient: 10 }
    : { clients: 100_000, connectionsPerClient: 10 };
}

export interface ScaleDatabase extends ScratchDatabase {
  now: number;
  counts: {
    clients: number;
    connections: number;
    events: number;
    subscriptions: number;
    failures: number;
  };
  sampleClientId(i: number): string;
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
// the table, which is what time-range scans meet in production.
function* eventRows(o: ScaleOptions, now: number): Generator<string> {
  const last = o.connectionsPerClient - 1;
  for (let k = 0; k < o.connectionsPerClient; k += 1) {
    for (let n = 0; n < o.clients; n += 1) {
      const id = scaleClientId(n);
      const c = connectionOf(n, k, o.connectionsPerClient, now);
      const base = {
        clientId: id,
        sessionIdentifier: c.session,
        principalIdentifier: `principal-${id}`,
        versionNumber: c.version,
      };
      const conn = {
        ...base,
        timestamp: c.start,
        eventType: "connected",
        ipAddress: `10.${n % 250}.${k8(n)}.${c.version + 1}`,
      };
      yield copyRow([
        dedupeKeyOf(conn),
        id,
        "connected",
        iso(c.start),
        iso(c.start + 120),
        c.session,
        base.principalIdentifier,
        c.version,
        TOPIC_PREFIXES.connected + id,
        JSON.stringify(conn),
      ]);
      if (k === last) {
        // The current session's subscriptions, as in subscription_state.
        const { versionNumber: _, ...common } = base;
        const sub = {
          ...common,
          timestamp: c.start + 50,
          eventType: "subscribed",
          topics: [`fleet/${id}/cmd`, "fleet/broadcast"],
        };
        yield copyRow([
          dedupeKeyOf(sub),
          id,
          "subscribed",
          iso(c.start + 50),
          iso(c.start + 170),
          c.session,
          base.principalIdentifier,
          null,
          TOPIC_PREFIXES.subscribed + id,
          JSON.stringify(sub),
        ]);
      }
      if (c.end !== null) {
        const disc = {
          ...base,
          timestamp: c.end,
          eventType: "disconnected",
          clientInitiatedDisconnect: c.reason === "CLIENT_INITIATED_DISCONNECT",
          disconnectReason: c.reason,
        };
        yield copyRow([
          dedupeKeyOf(disc),
          id,
          "disconnected",
          iso(c.end),
          iso(c.received),
          c.session,
          base.principalIdentifier,
          c.version,
          TOPIC_PREFIXES.disconnected + id,
          JSON.stringify(disc),
        ]);
      }
    }
  }
}

const k8 = (n: number) => Math.floor(n / 250) % 250;

function* connectionRows(o: ScaleOptions, now: number): Generator<string> {
  for (let k = 0; k < o.connectionsPerClient; k += 1) {
    for (let n = 0; n < o.clients; n += 1) {
      const id = scaleClientId(n);
      const c = connectionOf(n, k, o.connectionsPerClient, now);
      yield copyRow([
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
      ]);
    }
  }
}

function* clientStateRows(o: ScaleOptions, now: number): Generator<string> {
  for (let n = 0; n < o.clients; n += 1) {
    const id = scaleClientId(n);
    const conns = connectionsOf(n, o.connectionsPerClient, now);
    const cur = conns[conns.length - 1]!;
    const lastEnd = Math.max(...conns.map((c) => c.end ?? 0));
    const lastEvent = Math.max(cur.start, lastEnd);
    yield copyRow([
      id,
      cur.session,
      cur.version,
      iso(cur.start),
      iso(cur.end),
      iso(cur.received),
      cur.end === null ? null : cur.reason,
      cur.end === null ? null : cur.reason === "CLIENT_INITIATED_DISCONNECT",
      `principal-${id}`,
      `10.${n % 250}.${k8(n)}.${cur.version + 1}`,
      null,
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

const COPIES: {
  table: string;
  columns: string;
  rows: (o: ScaleOptions, now: number) => Generator<string>;
  key: keyof ScaleDatabase["counts"];
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
];

/**
 * Loads the scale data into a migrated, empty database. Secondary indexes are
 * dropped for the load and rebuilt from their own definitions afterwards
 * (building an index once is far cheaper than maintaining it row by row).
 */
export async function loadScaleData(
  url: string,
  o: ScaleOptions,
  now: number,
  log: (line: string) => void,
): Promise<ScaleDatabase["counts"]> {
  const counts = { clients: 0, connections: 0, events: 0, subscriptions: 0, failures: 0 };
  const started = performance.now();
  await withClient(url, async (c) => {
    // Bulk load: the loader's own session need not wait for each WAL flush.
    await c.query("SET synchronous_commit = off");
    await c.query("SET maintenance_work_mem = '256MB'");
    const { rows: indexes } = await c.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I', i.indexname)::regclass)`,
      [COPIES.map((x) => x.table)],
    );
    for (const index of indexes) await c.query(`DROP INDEX "${index.name}"`);
    for (const copy of COPIES) {
      const t = performance.now();
      counts[copy.key] = await copyFrom(
        c,
        `COPY ${copy.table} (${copy.columns}) FROM STDIN`,
        chunked(copy.rows(o, now)),
      );
      log(
        `scale data: ${counts[copy.key].toLocaleString("en-US")} rows into ${copy.table} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    const t = performance.now();
    for (const index of indexes) await c.query(index.def);
    log(
      `scale data: ${indexes.length} secondary indexes rebuilt in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    // What autovacuum would have done on a live database: statistics and the visibility map.
    await c.query("VACUUM (ANALYZE)");
  });
  log(
    `scale data: loaded, indexed and vacuumed in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return counts;
}

async function generate(ctx: SuiteContext, o: ScaleOptions): Promise<ScaleDatabase> {
  const db = await ctx.server.scratch("scale");
  // Times relative to the start of the load: statuses drift (pending turns offline) as the suite runs, as in life.
  const now = Date.now();
  const counts = await loadScaleData(db.url, o, now, ctx.log);
  return {
    ...db,
    now,
    counts,
    sampleClientId: (i: number) => scaleClientId((i * 7_919 + 13) % o.clients),
  };
}

const cache = new WeakMap<SuiteContext["server"], Promise<ScaleDatabase>>();

/** The scale database, generated once per server and shared by the query and CSV suites. */
export function scaleDatabase(ctx: SuiteContext): Promise<ScaleDatabase> {
  let db = cache.get(ctx.server);
  if (db === undefined) {
    db = generate(ctx, scaleOptions(ctx.smoke));
    cache.set(ctx.server, db);
  }
  return db;
}
