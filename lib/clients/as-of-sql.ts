// The fleet at a past moment T in SQL: the mirror of lib/presence/as-of.ts
// (statusAt), held to it by lib/clients/as-of.test.ts over random histories
// delivered in any order.
import type { PresenceConfig } from "../presence/types";
import { sql, type Sql } from "../db/sql";
import { msInterval } from "./client-row";
import { firstEventAtSql } from "./first-event";

/**
 * Connection `c` covers instant `t` as the timeline draws it: started at or
 * before t, and its end after t. The end is its disconnect; for one without
 * a disconnect, none while it is the client's current connection (the
 * client_state row names it), else the next connection's time (its own when
 * none follows), as lib/presence/timeline.ts `withEnd`.
 */
export function coversSql(c: string, t: Date): Sql {
  const col = (name: string) => sql.raw(`${c}.${name}`);
  return sql`COALESCE(${col("connected_at")} <= ${t}::timestamptz AND (${col("disconnected_at")} > ${t}::timestamptz
    OR (${col("disconnected_at")} IS NULL AND (
      EXISTS (SELECT 1 FROM client_state x WHERE x.client_id = ${col("client_id")}
                 AND x.session_identifier = ${col("session_identifier")}
                 AND x.version_number = ${col("version_number")})
      OR COALESCE((SELECT n.conn_time FROM connection n
                    WHERE n.client_id = ${col("client_id")}
                      AND (n.conn_time, n.version_number, n.session_identifier)
                        > (${col("conn_time")}, ${col("version_number")}, ${col("session_identifier")})
                    ORDER BY n.conn_time, n.version_number, n.session_identifier LIMIT 1),
                  ${col("conn_time")}) > ${t}::timestamptz))), false)`;
}

/** Client `cs` had sent no event yet at t (lib/clients/first-event.ts). */
export function neverSeenAtSql(t: Date): Sql {
  return sql`${firstEventAtSql("cs")} > ${t}::timestamptz`;
}

/**
 * The status at t of a client_state row `cs`, given the lateral `at` (its
 * connection at t, covering ones first: asOfConnectionSql).
 */
export function statusAtSql(t: Date): Sql {
  return sql`CASE WHEN ${neverSeenAtSql(t)} THEN 'never_seen'
    WHEN at.covers THEN 'online' ELSE 'offline' END`;
}

/**
 * The client's connection at t: one that covers t if any (the latest
 * started), else the latest that began by t. Its columns describe the
 * client as it stood then.
 */
export function asOfConnectionSql(t: Date): Sql {
  return sql`LEFT JOIN LATERAL (
    SELECT c.session_identifier, c.version_number::float8 AS version_number_f, c.connected_at,
           c.disconnected_at, c.disconnect_reason, c.client_initiated_disconnect,
           c.principal_identifier, c.ip_address, c.thing_name, ${coversSql("c", t)} AS covers
      FROM connection c
     WHERE c.client_id = cs.client_id AND c.conn_time <= ${t}::timestamptz
     ORDER BY 10 DESC, c.conn_time DESC, c.version_number DESC, c.session_identifier DESC
     LIMIT 1) at ON true`;
}

/** Columns of one client at t (with asOfConnectionSql joined as `at`). */
export function asOfColumnsSql(t: Date, config: PresenceConfig): Sql {
  return sql`cs.client_id, cs.first_event_at, cs.source, ${statusAtSql(t)} AS status,
    at.session_identifier, at.version_number_f, at.connected_at, at.disconnected_at,
    at.disconnect_reason, at.client_initiated_disconnect, at.principal_identifier,
    at.ip_address, at.thing_name,
    (SELECT max(c.connected_at) FROM connection c
      WHERE c.client_id = cs.client_id AND c.conn_time <= ${t}::timestamptz
        AND c.connected_at <= ${t}::timestamptz) AS last_connected_at,
    (SELECT max(c.disconnected_at) FROM connection c
      WHERE c.client_id = cs.client_id AND c.disconnected_at <= ${t}::timestamptz) AS last_disconnected_at,
    (SELECT count(*)::int FROM connection c
      WHERE c.client_id = cs.client_id AND c.disconnected_at <= ${t}::timestamptz
        AND c.disconnected_at > ${t}::timestamptz - ${msInterval(config.flapWindowMs)}) AS recent_disconnects`;
}

/**
 * The clients online at t, set-based for the counts: closed connections
 * spanning t through the disconnected_at index (a range that shrinks as t
 * nears now), plus the open ones (the current connections and any that lost
 * their disconnect) that began by t.
 */
export function onlineAtSql(t: Date): Sql {
  return sql`SELECT c.client_id FROM connection c
     WHERE c.disconnected_at > ${t}::timestamptz AND c.connected_at <= ${t}::timestamptz
    UNION
    SELECT c.client_id FROM connection c
     WHERE c.disconnected_at IS NULL AND ${coversSql("c", t)}`;
}

/** Clients with at least the flap threshold of disconnects in the window ending at t. */
export function flappingAtSql(t: Date, config: PresenceConfig): Sql {
  return sql`SELECT c.client_id FROM connection c
     WHERE c.disconnected_at > ${t}::timestamptz - ${msInterval(config.flapWindowMs)}
       AND c.disconnected_at <= ${t}::timestamptz
     GROUP BY c.client_id HAVING count(*) >= ${config.flapThreshold}::int`;
}
