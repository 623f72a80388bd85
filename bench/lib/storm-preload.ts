// The storm's known devices, loaded with COPY before the app starts: each one
// online in the connection storm-plan says (its connect and subscribe events,
// the open connection, the derived client_state and subscriptions), as if
// ingest had stored them over the last day. Secondary indexes are dropped for
// the load and rebuilt from their own definitions afterwards.
import { dedupeKeyOf } from "../../lib/ingest/parse";
import { TOPIC_PREFIXES } from "../../lib/ingest/schemas";
import { chunked, copyFrom, copyRow } from "./copy";
import { withClient } from "./database";
import { preloadVersion, sessionOf, stormDeviceId, topicsOf } from "./storm-plan";

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

interface Device {
  id: string;
  version: number;
  session: string;
  connectedAt: number;
  principal: string;
  ip: string;
}

function device(n: number, now: number): Device {
  const id = stormDeviceId(n);
  const version = preloadVersion(n);
  return {
    id,
    version,
    session: sessionOf(id, version),
    // Connected some time in the last day, spread over it.
    connectedAt: now - DAY + ((n * 86_413) % (DAY - 3_600_000)),
    principal: `principal-${id}`,
    ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  };
}

function* devices(count: number, now: number): Generator<Device> {
  for (let n = 0; n < count; n += 1) yield device(n, now);
}

function* eventRows(count: number, now: number): Generator<string> {
  for (const d of devices(count, now)) {
    const conn = {
      clientId: d.id,
      timestamp: d.connectedAt,
      eventType: "connected",
      sessionIdentifier: d.session,
      principalIdentifier: d.principal,
      versionNumber: d.version,
      ipAddress: d.ip,
    };
    const sub = {
      clientId: d.id,
      timestamp: d.connectedAt + 50,
      eventType: "subscribed",
      sessionIdentifier: d.session,
      principalIdentifier: d.principal,
      topics: topicsOf(d.id),
    };
    for (const [e, version] of [
      [conn, d.version],
      [sub, null],
    ] as const)
      yield copyRow([
        dedupeKeyOf(e),
        d.id,
        e.eventType,
        iso(e.timestamp),
        iso(e.timestamp + 120),
        d.session,
        d.principal,
        version,
        TOPIC_PREFIXES[e.eventType as "connected" | "subscribed"] + d.id,
        JSON.stringify(e),
      ]);
  }
}

const COPIES: {
  table: string;
  columns: string;
  rows: (count: number, now: number) => Generator<string>;
}[] = [
  {
    table: "client_state",
    columns:
      "client_id, session_identifier, version_number, connected_at, principal_identifier, ip_address, last_connected_at, last_event_at, first_seen_at, updated_at, first_event_at",
    *rows(count, now) {
      for (const d of devices(count, now))
        yield copyRow([
          d.id,
          d.session,
          d.version,
          iso(d.connectedAt),
          d.principal,
          d.ip,
          iso(d.connectedAt),
          iso(d.connectedAt + 50),
          iso(d.connectedAt),
          iso(d.connectedAt + 170),
          iso(d.connectedAt),
        ]);
    },
  },
  {
    table: "connection",
    columns:
      "client_id, session_identifier, version_number, connected_at, principal_identifier, ip_address",
    *rows(count, now) {
      for (const d of devices(count, now))
        yield copyRow([d.id, d.session, d.version, iso(d.connectedAt), d.principal, d.ip]);
    },
  },
  {
    table: "lifecycle_event",
    columns:
      "dedupe_key, client_id, event_type, event_at, received_at, session_identifier, principal_identifier, version_number, topic, raw",
    rows: eventRows,
  },
  {
    table: "subscription_state",
    columns: "client_id, topic, event_type, event_at, session_identifier",
    *rows(count, now) {
      for (const d of devices(count, now))
        for (const topic of topicsOf(d.id))
          yield copyRow([d.id, topic, "subscribed", iso(d.connectedAt + 50), d.session]);
    },
  },
];

/** Loads `count` online devices into a migrated, empty database; returns the rows per table. */
export async function preloadStormDevices(
  url: string,
  count: number,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  const now = Date.now();
  const rows: Record<string, number> = {};
  const started = performance.now();
  await withClient(url, async (c) => {
    await c.query("SET synchronous_commit = off");
    await c.query("SET maintenance_work_mem = '256MB'");
    const { rows: indexes } = await c.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I', i.indexname)::regclass)`,
      [COPIES.map((x) => x.table)],
    );
    for (const index of indexes) await c.query(`DROP INDEX "${index.name}"`);
    for (const copy of COPIES)
      rows[copy.table] = await copyFrom(
        c,
        `COPY ${copy.table} (${copy.columns}) FROM STDIN`,
        chunked(copy.rows(count, now)),
      );
    // A partitioned table's index is listed as CREATE INDEX ... ON ONLY: rebuild it on every partition too.
    for (const index of indexes) await c.query(index.def.replace(" ON ONLY ", " ON "));
    await c.query("VACUUM (ANALYZE)");
  });
  log(
    `storm: ${count.toLocaleString("en-US")} known devices loaded (${Object.entries(rows)
      .map(([t, n]) => `${n.toLocaleString("en-US")} ${t}`)
      .join(", ")}) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return rows;
}
