import { db } from "../db/client";
import { sql, type Sql } from "../db/sql";
import { withEnd } from "../presence/timeline";
import { connectionFromRow, type ConnectionColumns } from "./client-row";
import type { TimelineConnection } from "../presence/types";
import { requireClient } from "./get";
import type { ConnectionView, RangeQuery } from "./schemas";

export interface ConnectionRow extends ConnectionColumns {
  session_identifier: string;
  version_number: number;
  next_time: Date | null;
  is_current: boolean;
}

/** The bounds of a range query: open ends reach past every stored time. */
function rangeBounds(range: RangeQuery): { from: Date; to: Date } {
  return { from: new Date(range.from ?? 0), to: new Date(range.to ?? 8.64e15) };
}

/**
 * Connections that overlap the range, oldest first per client. The window
 * function finds each connection's successor in the model's order
 * (lib/presence compareConnections) so a lost disconnect can be inferred;
 * `ended_at` is lib/presence/timeline.ts withEnd in SQL (null: open), for the
 * range test here and for the CSV export.
 * `filter` restricts the clients (on `c` and `cs`).
 */
export function connectionsSql(range: RangeQuery, filter: Sql): Sql {
  const { from, to } = rangeBounds(range);
  return sql`
SELECT * FROM (
  SELECT s.*,
         COALESCE(s.disconnected_at, CASE WHEN s.is_current THEN NULL ELSE COALESCE(s.next_time, s.conn_time) END) AS ended_at
    FROM (
      SELECT c.client_id, c.session_identifier, c.version_number::float8 AS version_number,
             c.connected_at, c.disconnected_at, c.disconnect_received_at, c.disconnect_reason,
             c.client_initiated_disconnect, c.principal_identifier, c.ip_address, c.thing_name,
             c.conn_time,
             lead(c.conn_time) OVER w AS next_time,
             (cs.session_identifier = c.session_identifier AND cs.version_number = c.version_number) IS TRUE AS is_current
        FROM connection c JOIN client_state cs ON cs.client_id = c.client_id
       WHERE ${filter}
      WINDOW w AS (PARTITION BY c.client_id ORDER BY c.conn_time, c.version_number, c.session_identifier)
    ) s
) t
WHERE t.conn_time <= ${to}::timestamptz AND COALESCE(t.ended_at, 'infinity'::timestamptz) >= ${from}::timestamptz
ORDER BY t.client_id, t.conn_time, t.version_number, t.session_identifier`;
}

export function toTimelineConnection(row: ConnectionRow): TimelineConnection {
  const c = connectionFromRow(row, row.session_identifier, row.version_number);
  return withEnd(c, row.is_current, row.next_time?.getTime() ?? null);
}

export function toConnectionView(c: TimelineConnection): ConnectionView {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    sessionIdentifier: c.sessionIdentifier,
    versionNumber: c.versionNumber,
    connectedAt: iso(c.connectedAt),
    disconnectedAt: iso(c.endedAt),
    durationSeconds:
      c.connectedAt !== null && c.endedAt !== null ? (c.endedAt - c.connectedAt) / 1000 : null,
    disconnectReason: c.disconnectReason,
    clientInitiatedDisconnect: c.clientInitiatedDisconnect,
    principalIdentifier: c.principalIdentifier,
    ipAddress: c.ipAddress,
    thingName: c.thingName,
    endInferred: c.endInferred,
  };
}

/** GET /api/clients/{clientId}/connections. */
export async function listConnections(
  clientId: string,
  range: RangeQuery,
): Promise<ConnectionView[]> {
  await requireClient(clientId);
  const query = connectionsSql(range, sql`c.client_id = ${clientId}`);
  const result = await db().pool.query<ConnectionRow>(query.text, query.values);
  return result.rows.map((r) => toConnectionView(toTimelineConnection(r)));
}
