// The end of a connection that has no disconnect, as the timeline draws it
// (lib/presence/timeline.ts is the reference): none while it is the
// client's current connection, otherwise the next connection's start (its
// own start when none follows). One SQL text for every query that draws
// spans (online history, its rollup, incident loading); the connection is
// aliased `c`, and CURRENT_JOIN_SQL must join client_state as `cur`.
export const INFERRED_END_SQL = `CASE WHEN cur.client_id IS NOT NULL THEN NULL
                ELSE COALESCE((SELECT n.conn_time FROM connection n
                                WHERE n.client_id = c.client_id
                                  AND (n.conn_time, n.version_number, n.session_identifier)
                                    > (c.conn_time, c.version_number, c.session_identifier)
                                ORDER BY n.conn_time, n.version_number, n.session_identifier LIMIT 1),
                              c.conn_time)
           END`;

/** `cur`: the client's state row when `c` is its current, still open connection. */
export const CURRENT_JOIN_SQL = `LEFT JOIN client_state cur
        ON cur.client_id = c.client_id AND cur.session_identifier = c.session_identifier
       AND cur.version_number = c.version_number AND cur.disconnected_at IS NULL`;
