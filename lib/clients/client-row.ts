// The SQL that reads client_state, and the mapping of its rows to the
// contract's client object. Status is computed at read time by the pure model;
// statusSql is its mirror for filtering and counting inside PostgreSQL.
import { flapsAtCount, pendingUntil, presenceStatus, statusSince } from "../presence/status";
import { TIMESTAMP_TOLERANCE_MS, type Connection, type PresenceConfig } from "../presence/types";
import type { ClientView } from "./schemas";
import { sql, type Sql } from "../db/sql";
import { labelsColumnSql } from "../labels/filter-sql";
import type { Labels } from "../../contract/labels";
import type { Source } from "../../contract/sources";

/** `ms` milliseconds as an SQL interval (the value bound as a parameter). */
export function msInterval(ms: number): Sql {
  return sql`(${ms}::float8 * interval '1 millisecond')`;
}

/**
 * The status of a client_state row `cs` at `now`, mirroring
 * lib/presence/status.ts: no current connection → offline; no disconnect →
 * online; pending until min(receipt + grace, disconnect + grace + tolerance).
 */
export function statusSql(now: Date, config: PresenceConfig): Sql {
  const grace = msInterval(config.offlineGraceMs);
  return sql`CASE WHEN cs.session_identifier IS NULL THEN 'offline'
    WHEN cs.disconnected_at IS NULL THEN 'online'
    WHEN ${now}::timestamptz < LEAST(COALESCE(cs.disconnect_received_at, cs.disconnected_at) + ${grace},
                        cs.disconnected_at + ${grace} + ${msInterval(TIMESTAMP_TOLERANCE_MS)}) THEN 'pending'
    ELSE 'offline' END`;
}

/**
 * A condition every pending client meets (pending ends by disconnect + grace
 * + tolerance), in a form an index on disconnected_at can serve: added to a
 * status=pending filter so PostgreSQL reads the few recent disconnects
 * instead of every client in sort order.
 */
export function pendingBoundSql(now: Date, config: PresenceConfig): Sql {
  return sql`cs.disconnected_at > ${now}::timestamptz - ${msInterval(config.offlineGraceMs + TIMESTAMP_TOLERANCE_MS)}`;
}

/**
 * Exactly the online clients (statusSql's second branch), in the form of the
 * partial index client_state_online_last_event_idx: added to a status=online
 * filter so that PostgreSQL walks only online rows in last-change order
 * instead of every client, testing each one's status.
 */
export const ONLINE_BOUND_SQL = sql.raw(
  "cs.session_identifier IS NOT NULL AND cs.disconnected_at IS NULL",
);

/** Columns of one client: its state row, recent disconnects and current subscriptions. */
export function clientColumnsSql(now: Date, config: PresenceConfig): Sql {
  return sql`cs.*, cs.version_number::float8 AS version_number_f,
    (SELECT count(*)::int FROM connection c
      WHERE c.client_id = cs.client_id
        AND c.disconnected_at > ${now}::timestamptz - ${msInterval(config.flapWindowMs)}) AS recent_disconnects,
    ARRAY(SELECT s.topic FROM subscription_state s
           WHERE s.client_id = cs.client_id AND s.event_type = 'subscribed'
             AND s.session_identifier = cs.session_identifier
           ORDER BY s.topic) AS subscriptions,
    ${labelsColumnSql(sql.raw("cs.client_id"))} AS labels`;
}

/** The connection columns shared by client_state and connection rows. */
export interface ConnectionColumns {
  client_id: string;
  connected_at: Date | null;
  disconnected_at: Date | null;
  disconnect_received_at: Date | null;
  disconnect_reason: string | null;
  client_initiated_disconnect: boolean | null;
  principal_identifier: string | null;
  ip_address: string | null;
  thing_name: string | null;
}

export interface ClientRow extends ConnectionColumns {
  session_identifier: string | null;
  version_number_f: number | null;
  last_connected_at: Date | null;
  last_disconnected_at: Date | null;
  last_event_at: Date;
  recent_disconnects: number;
  subscriptions: string[];
  labels: Labels;
  source: Source;
}

const iso = (t: number | Date | null): string | null =>
  t === null ? null : new Date(t).toISOString();

/** A database row as the model's Connection. */
export function connectionFromRow(
  row: ConnectionColumns,
  sessionIdentifier: string,
  versionNumber: number,
): Connection {
  return {
    clientId: row.client_id,
    sessionIdentifier,
    versionNumber,
    connectedAt: row.connected_at?.getTime() ?? null,
    disconnectedAt: row.disconnected_at?.getTime() ?? null,
    disconnectReceivedAt: row.disconnect_received_at?.getTime() ?? null,
    disconnectReason: row.disconnect_reason,
    clientInitiatedDisconnect: row.client_initiated_disconnect,
    principalIdentifier: row.principal_identifier,
    ipAddress: row.ip_address,
    thingName: row.thing_name,
  };
}

export function currentOf(row: ClientRow): Connection | undefined {
  if (row.session_identifier === null || row.version_number_f === null) return undefined;
  return connectionFromRow(row, row.session_identifier, row.version_number_f);
}

export function toClientView(row: ClientRow, now: number, config: PresenceConfig): ClientView {
  const current = currentOf(row);
  const status = presenceStatus(current, now, config);
  return {
    clientId: row.client_id,
    status,
    flapping: flapsAtCount(row.recent_disconnects, config),
    since: iso(statusSince(current)),
    lastConnectedAt: iso(row.last_connected_at),
    lastDisconnectedAt: iso(row.last_disconnected_at),
    disconnectReason: current?.disconnectedAt != null ? row.disconnect_reason : null,
    clientInitiatedDisconnect:
      current?.disconnectedAt != null ? row.client_initiated_disconnect : null,
    principalIdentifier: row.principal_identifier,
    sessionIdentifier: row.session_identifier,
    versionNumber: row.version_number_f,
    ipAddress: row.ip_address,
    thingName: row.thing_name,
    subscriptions: row.subscriptions,
    subscriptionCount: row.subscriptions.length,
    lastEventAt: row.last_event_at.toISOString(),
    pendingUntil: status === "pending" ? iso(pendingUntil(current, config)) : null,
    labels: row.labels,
    source: row.source,
  };
}
