// Keeps the availability rollup (availability_segment, availability_day,
// client_first_event) up to date inside each ingest transaction. Two
// set-based statements per batch, whatever its size: one reads, before the
// events are stored, the earliest time whose coverage the batch may change;
// one, after client_state is refreshed, recomputes each touched client from
// the start of that day on. The coverage is lib/presence/availability.ts's
// (connections drawn as lib/presence/timeline.ts draws them); the property
// test lib/availability/rollup.test.ts holds the two together.

/**
 * Per client with presence events in the batch, the earliest instant (epoch
 * ms) from which its drawn timeline may change:
 * - each touched connection's time, stored (a connect arriving after its
 *   disconnect moves it earlier) or the event's;
 * - the connection just before that instant: its inferred end is the time
 *   of the connection that follows it;
 * - the current connection before this batch: it may stop being current
 *   (then its end is inferred, and the time after its start stops being left
 *   to the read side).
 * The current connection after the batch is added by AVAILABILITY_ROLLUP_SQL.
 * $1: JSON array of {client_id, session_identifier, version_number, at}.
 */
export const AVAILABILITY_DIRTY_SQL = `
WITH e AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS x(client_id text, session_identifier text, version_number bigint, at float8)
), k AS (
  SELECT e.client_id, min(LEAST(to_timestamp(e.at / 1000.0), c.conn_time)) AS t
    FROM e LEFT JOIN connection c ON c.client_id = e.client_id
     AND c.session_identifier = e.session_identifier AND c.version_number = e.version_number
   GROUP BY e.client_id
)
SELECT k.client_id,
       (extract(epoch FROM LEAST(k.t, p.conn_time, COALESCE(cs.connected_at, cs.disconnected_at))) * 1000)::float8
         AS dirty_from
  FROM k
  LEFT JOIN client_state cs ON cs.client_id = k.client_id
  LEFT JOIN LATERAL (
    SELECT c.conn_time FROM connection c
     WHERE c.client_id = k.client_id AND c.conn_time < k.t
     ORDER BY c.conn_time DESC LIMIT 1) p ON true`;

/** A timestamptz's UTC day start, as timestamptz (independent of the session's time zone). */
const dayStart = (column: string) =>
  `(date_trunc('day', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/**
 * Recomputes each dirty client's segments and days from the UTC day of its
 * dirty instant (or of its current connection, if earlier) on, and records
 * each batch client's first event.
 *
 * The connections whose drawn interval can reach past the cut: those at or
 * after it, those whose disconnect is at or after it, and the last one before
 * it (its inferred end is the next one's time). Every other earlier
 * connection ended, as drawn, before the cut. `lead` over that set gives each
 * candidate its successor in the model's order (compareConnections). The open
 * current connection is left out, and so is the time from its start on: the
 * read side adds it up to the end of the range.
 *
 * $1: JSON array of {client_id, dirty_from} (AVAILABILITY_DIRTY_SQL's rows),
 * $2: JSON array of {client_id, first_at}: the batch's earliest new event
 * per client (epoch ms).
 */
export const AVAILABILITY_ROLLUP_SQL = `
WITH dirty AS (
  SELECT x.client_id,
         ${dayStart("LEAST(to_timestamp(x.dirty_from / 1000.0), COALESCE(cs.connected_at, cs.disconnected_at))")} AS cut,
         CASE WHEN cs.disconnected_at IS NULL THEN cs.connected_at END AS open_start,
         cs.session_identifier AS cur_session, cs.version_number AS cur_version
    FROM jsonb_to_recordset($1::jsonb) AS x(client_id text, dirty_from float8)
    JOIN client_state cs ON cs.client_id = x.client_id
), cand AS (
  SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
    FROM dirty d JOIN connection c ON c.client_id = d.client_id AND c.conn_time >= d.cut
  UNION
  SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
    FROM dirty d JOIN connection c ON c.client_id = d.client_id
     AND c.disconnected_at >= d.cut AND c.conn_time < d.cut
  UNION
  SELECT p.client_id, p.session_identifier, p.version_number, p.disconnected_at, p.conn_time
    FROM dirty d CROSS JOIN LATERAL (
      SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
        FROM connection c WHERE c.client_id = d.client_id AND c.conn_time < d.cut
       ORDER BY c.conn_time DESC, c.version_number DESC, c.session_identifier DESC LIMIT 1) p
), drawn AS (
  -- lib/presence/timeline.ts withEnd: NULL is the open current connection.
  SELECT cand.client_id, cand.conn_time AS s,
         COALESCE(cand.disconnected_at,
           CASE WHEN (d.cur_session = cand.session_identifier AND d.cur_version = cand.version_number) IS TRUE
                THEN NULL ELSE COALESCE(lead(cand.conn_time) OVER w, cand.conn_time) END) AS e
    FROM cand JOIN dirty d USING (client_id)
  WINDOW w AS (PARTITION BY cand.client_id
               ORDER BY cand.conn_time, cand.version_number, cand.session_identifier)
), clipped AS (
  SELECT drawn.client_id, GREATEST(drawn.s, d.cut) AS s, LEAST(drawn.e, d.open_start) AS e
    FROM drawn JOIN dirty d USING (client_id)
   WHERE drawn.e IS NOT NULL
), marked AS (
  SELECT client_id, s, e,
         max(e) OVER (PARTITION BY client_id ORDER BY s, e
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM clipped WHERE e > s
), islands AS (
  -- Overlapping or touching intervals merge: segments are disjoint.
  SELECT client_id, min(s) AS s, max(e) AS e FROM (
    SELECT client_id, s, e,
           sum(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END)
             OVER (PARTITION BY client_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
      FROM marked) m
   GROUP BY client_id, island
), cut_old AS (
  -- A segment across the cut keeps its part before it.
  UPDATE availability_segment s SET ends_at = d.cut FROM dirty d
   WHERE s.client_id = d.client_id AND s.starts_at < d.cut AND s.ends_at > d.cut
  RETURNING 1
), put_segments AS (
  INSERT INTO availability_segment AS s (client_id, starts_at, ends_at)
  SELECT client_id, s, e FROM islands ORDER BY client_id, s
  -- Most of a recomputed day is as it was: unchanged rows are not rewritten.
  ON CONFLICT (client_id, starts_at) DO UPDATE SET ends_at = EXCLUDED.ends_at
   WHERE s.ends_at <> EXCLUDED.ends_at
  RETURNING 1
), drop_segments AS (
  DELETE FROM availability_segment s USING dirty d
   WHERE s.client_id = d.client_id AND s.starts_at >= d.cut
     AND NOT EXISTS (SELECT 1 FROM islands i WHERE i.client_id = s.client_id AND i.s = s.starts_at)
  RETURNING 1
), pieces AS (
  SELECT i.client_id, g.day::date AS day,
         LEAST(i.e, (g.day + interval '1 day') AT TIME ZONE 'UTC') - GREATEST(i.s, g.day AT TIME ZONE 'UTC') AS online
    FROM islands i CROSS JOIN LATERAL generate_series(
      date_trunc('day', i.s AT TIME ZONE 'UTC'),
      (i.e AT TIME ZONE 'UTC') - interval '1 microsecond', interval '1 day') AS g(day)
), days AS (
  SELECT client_id, day, COALESCE(o.online_ms, 0) AS online_ms, COALESCE(n.disconnects, 0) AS disconnects
    FROM (SELECT client_id, day, round(extract(epoch FROM sum(online)) * 1000)::bigint AS online_ms
            FROM pieces GROUP BY client_id, day) o
    FULL JOIN (
      SELECT cand.client_id, (cand.disconnected_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS disconnects
        FROM cand JOIN dirty d USING (client_id)
       WHERE cand.disconnected_at >= d.cut
       GROUP BY 1, 2) n USING (client_id, day)
), put_days AS (
  INSERT INTO availability_day AS a (client_id, day, online_ms, disconnects)
  SELECT client_id, day, online_ms, disconnects FROM days ORDER BY client_id, day
  ON CONFLICT (client_id, day) DO UPDATE SET
    online_ms = EXCLUDED.online_ms, disconnects = EXCLUDED.disconnects
   WHERE (a.online_ms, a.disconnects) <> (EXCLUDED.online_ms, EXCLUDED.disconnects)
  RETURNING 1
), drop_days AS (
  DELETE FROM availability_day a USING dirty d
   WHERE a.client_id = d.client_id AND a.day >= (d.cut AT TIME ZONE 'UTC')::date
     AND NOT EXISTS (SELECT 1 FROM days n WHERE n.client_id = a.client_id AND n.day = a.day)
  RETURNING 1
), first_events AS (
  INSERT INTO client_first_event AS f (client_id, first_event_at)
  SELECT x.client_id, to_timestamp(x.first_at / 1000.0)
    FROM jsonb_to_recordset($2::jsonb) AS x(client_id text, first_at float8)
   -- Usually known and earlier: skipped without locking its row.
   WHERE NOT EXISTS (SELECT 1 FROM client_first_event k
                      WHERE k.client_id = x.client_id AND k.first_event_at <= to_timestamp(x.first_at / 1000.0))
   ORDER BY x.client_id
  ON CONFLICT (client_id) DO UPDATE SET first_event_at = EXCLUDED.first_event_at
   WHERE EXCLUDED.first_event_at < f.first_event_at
  RETURNING 1
)
SELECT 1`;
