// The availability rollup (availability_segment, availability_day) inside
// each ingest transaction, as CTE fragments that lib/ingest/rollups.ts joins
// with the online chart's into one statement before the batch is stored and
// one after. The coverage is lib/presence/availability.ts's (connections
// drawn as lib/presence/timeline.ts draws them); the property test
// lib/availability/rollup.test.ts holds the two together.
//
// Invariant: a client's segments are the islands of its drawn connections
// (overlapping or touching ones merged, so no two segments touch), clipped
// at the start of its open current connection. A batch recomputes them from
// a cut on: the earliest instant its events can change, moved back to the
// start of the segment holding or touching it. Everything before the cut
// stays as it is, and the days change by the difference between the
// segments dropped and the segments written, plus one disconnect moved per
// connection whose disconnect time changed: the cost follows what changed,
// not the length of the day or of the client's history.
import { sql, type Sql } from "../db/sql";
import { openStartSql } from "./read-sql";

/**
 * Before the events are stored, with `ev` a relation of the batch's presence
 * events (client_id, session_identifier, version_number, event_type, at):
 * CTE `av_dirty(client_id, t, old_open)`, the earliest instant from which
 * each client's drawn timeline may change and the start of its open current
 * connection before the batch (for lib/availability/rank.ts), and `av_discs(client_id,
 * session_identifier, version_number, old_disc)`, the stored disconnect time
 * of each connection the batch disconnects.
 *
 * `t` takes the least of: the events' times; the touched connections' times
 * as stored (a connect that arrives after its disconnect moves a connection
 * earlier); the client's current connection before the batch (it may stop
 * being current: then its end is inferred, no longer left to the read side).
 * The current connection after the batch is added by the apply step.
 */
export const AVAILABILITY_BEFORE_CTES = sql`
av_keys AS (
  SELECT client_id, session_identifier, version_number, min(at) AS at,
         bool_or(event_type = 'disconnected') AS disconnects
    FROM ev GROUP BY client_id, session_identifier, version_number
), av_old AS (
  -- LATERAL, here and below: one index probe per key, whatever the planner
  -- guesses of the batch's size (jsonb_to_recordset: 100 rows).
  SELECT k.*, c.conn_time, c.disconnected_at
    FROM av_keys k LEFT JOIN LATERAL (
      SELECT c.conn_time, c.disconnected_at FROM connection c
       WHERE c.client_id = k.client_id AND c.session_identifier = k.session_identifier
         AND c.version_number = k.version_number OFFSET 0) c ON true
), av_dirty AS (
  SELECT o.client_id, LEAST(o.t, cs.t) AS t, cs.old_open
    FROM (SELECT client_id, LEAST(min(at), min(conn_time)) AS t FROM av_old GROUP BY client_id) o
    LEFT JOIN LATERAL (
      SELECT COALESCE(cs.connected_at, cs.disconnected_at) AS t,
             ${openStartSql("cs")} AS old_open
        FROM client_state cs WHERE cs.client_id = o.client_id OFFSET 0) cs ON true
), av_discs AS (
  SELECT client_id, session_identifier, version_number, disconnected_at AS old_disc
    FROM av_old WHERE disconnects
)`;

/**
 * After client_state is refreshed: recomputes the segments of each client of
 * `dirty` (a relation of client_id, t) from its cut on and moves the days by
 * the difference. `discs` (client_id, session_identifier, version_number,
 * old_disc) lists the connections whose disconnect may have moved, with the
 * time it had before (null: none).
 *
 * The connections whose drawn interval can reach past the cut: those at or
 * after it, those whose disconnect is at or after it, and the last one before
 * it (its inferred end is the next one's time). Every other earlier
 * connection ended, as drawn, before the cut. `lead` over that set gives each
 * candidate its successor in the model's order (compareConnections). The open
 * current connection is left out, and so is the time from its start on: the
 * read side adds it up to the end of the range.
 */
export function availabilityApplyCtes(dirty: Sql, discs: Sql): Sql {
  return sql`
av_in AS (${dirty}
), av_base AS (
  SELECT i.client_id, LEAST(i.t, COALESCE(cs.connected_at, cs.disconnected_at)) AS t,
         ${openStartSql("cs")} AS open_start,
         cs.session_identifier AS cur_session, cs.version_number AS cur_version
    FROM av_in i CROSS JOIN LATERAL (
      SELECT * FROM client_state cs WHERE cs.client_id = i.client_id OFFSET 0) cs
), av_dirty AS MATERIALIZED (
  -- Back to the start of the segment holding or touching t, so that no
  -- segment crosses the cut and the new ones never touch an older one.
  SELECT b.*, LEAST(b.t, (
           SELECT CASE WHEN s.ends_at >= b.t THEN s.starts_at END FROM availability_segment s
            WHERE s.client_id = b.client_id AND s.starts_at < b.t
            ORDER BY s.starts_at DESC LIMIT 1)) AS cut
    FROM av_base b
), av_cand AS (
  -- LATERAL, here and below: index probes per client, whatever the planner
  -- guesses of the batch's size.
  SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
    FROM av_dirty d CROSS JOIN LATERAL (
      SELECT * FROM connection c WHERE c.client_id = d.client_id AND c.conn_time >= d.cut OFFSET 0) c
  UNION ALL
  SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
    FROM av_dirty d CROSS JOIN LATERAL (
      SELECT * FROM connection c WHERE c.client_id = d.client_id
         AND c.disconnected_at >= d.cut AND c.conn_time < d.cut OFFSET 0) c
  UNION ALL
  SELECT p.client_id, p.session_identifier, p.version_number, p.disconnected_at, p.conn_time
    FROM av_dirty d CROSS JOIN LATERAL (
      -- The latest time first (one probe of the (client_id, conn_time)
      -- index), then the order's tie-breaks among the few at that time:
      -- never a sort of the client's whole history.
      SELECT c.client_id, c.session_identifier, c.version_number, c.disconnected_at, c.conn_time
        FROM connection c
       WHERE c.client_id = d.client_id
         AND c.conn_time = (SELECT max(m.conn_time) FROM connection m
                             WHERE m.client_id = d.client_id AND m.conn_time < d.cut)
       ORDER BY c.version_number DESC, c.session_identifier DESC LIMIT 1) p
   -- Already listed when its disconnect is past the cut.
   WHERE NOT (p.disconnected_at >= d.cut) OR p.disconnected_at IS NULL
), av_drawn AS (
  -- lib/presence/timeline.ts withEnd: NULL is the open current connection.
  SELECT cand.client_id, cand.conn_time AS s,
         COALESCE(cand.disconnected_at,
           CASE WHEN (d.cur_session = cand.session_identifier AND d.cur_version = cand.version_number) IS TRUE
                THEN NULL ELSE COALESCE(lead(cand.conn_time) OVER w, cand.conn_time) END) AS e
    FROM av_cand cand JOIN av_dirty d USING (client_id)
  WINDOW w AS (PARTITION BY cand.client_id
               ORDER BY cand.conn_time, cand.version_number, cand.session_identifier)
), av_clipped AS (
  SELECT drawn.client_id, GREATEST(drawn.s, d.cut) AS s, LEAST(drawn.e, d.open_start) AS e
    FROM av_drawn drawn JOIN av_dirty d USING (client_id)
   WHERE drawn.e IS NOT NULL
), av_marked AS (
  SELECT client_id, s, e,
         max(e) OVER (PARTITION BY client_id ORDER BY s, e
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM av_clipped WHERE e > s
), av_islands AS (
  -- Overlapping or touching intervals merge: segments are disjoint.
  SELECT client_id, min(s) AS s, max(e) AS e FROM (
    SELECT client_id, s, e,
           sum(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END)
             OVER (PARTITION BY client_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
      FROM av_marked) m
   GROUP BY client_id, island
), av_was AS (
  SELECT d.client_id, s.starts_at AS s, s.ends_at AS e
    FROM av_dirty d CROSS JOIN LATERAL (
      SELECT * FROM availability_segment s
       WHERE s.client_id = d.client_id AND s.starts_at >= d.cut OFFSET 0) s
), av_new AS (
  -- Most segments after the cut come out as they were: only the others are written.
  SELECT i.client_id, i.s, i.e FROM av_islands i
   WHERE NOT EXISTS (SELECT 1 FROM av_was w WHERE w.client_id = i.client_id AND w.s = i.s AND w.e = i.e)
), av_gone AS (
  SELECT w.client_id, w.s, w.e FROM av_was w
   WHERE NOT EXISTS (SELECT 1 FROM av_islands i WHERE i.client_id = w.client_id AND i.s = w.s AND i.e = w.e)
), av_put_segments AS (
  INSERT INTO availability_segment AS s (client_id, starts_at, ends_at)
  SELECT client_id, s, e FROM av_new ORDER BY client_id, s
  ON CONFLICT (client_id, starts_at) DO UPDATE SET ends_at = EXCLUDED.ends_at
  RETURNING 1
), av_drop_segments AS (
  DELETE FROM availability_segment s USING av_gone g
   WHERE s.client_id = g.client_id AND s.starts_at = g.s
     AND NOT EXISTS (SELECT 1 FROM av_new n WHERE n.client_id = g.client_id AND n.s = g.s)
  RETURNING 1
), av_pieces AS (
  -- Each written segment adds its time to the days it covers; each dropped one takes it away.
  SELECT ch.client_id, g.day::date AS day,
         ch.sign * extract(epoch FROM LEAST(ch.e, (g.day + interval '1 day') AT TIME ZONE 'UTC')
                                      - GREATEST(ch.s, g.day AT TIME ZONE 'UTC')) * 1000 AS online_ms
    FROM (SELECT client_id, s, e, 1 AS sign FROM av_new
          UNION ALL SELECT client_id, s, e, -1 FROM av_gone) ch
   CROSS JOIN LATERAL generate_series(
      date_trunc('day', ch.s AT TIME ZONE 'UTC'),
      (ch.e AT TIME ZONE 'UTC') - interval '1 microsecond', interval '1 day') AS g(day)
), av_moved AS (
  SELECT x.client_id, x.old_disc, c.disconnected_at AS new_disc
    FROM (${discs}) x CROSS JOIN LATERAL (
      SELECT c.disconnected_at FROM connection c
       WHERE c.client_id = x.client_id AND c.session_identifier = x.session_identifier
         AND c.version_number = x.version_number OFFSET 0) c
   WHERE c.disconnected_at IS DISTINCT FROM x.old_disc
), av_delta AS (
  SELECT client_id, day, round(sum(online_ms))::bigint AS online_ms, sum(disconnects)::int AS disconnects
    FROM (SELECT client_id, day, online_ms, 0 AS disconnects FROM av_pieces
          UNION ALL
          SELECT client_id, (new_disc AT TIME ZONE 'UTC')::date, 0, 1 FROM av_moved WHERE new_disc IS NOT NULL
          UNION ALL
          SELECT client_id, (old_disc AT TIME ZONE 'UTC')::date, 0, -1 FROM av_moved WHERE old_disc IS NOT NULL) p
   GROUP BY client_id, day
  HAVING round(sum(online_ms)) <> 0 OR sum(disconnects) <> 0
), av_next AS (
  SELECT d.client_id, d.day, COALESCE(a.online_ms, 0) + d.online_ms AS online_ms,
         COALESCE(a.disconnects, 0) + d.disconnects AS disconnects
    FROM av_delta d LEFT JOIN LATERAL (
      SELECT * FROM availability_day a WHERE a.client_id = d.client_id AND a.day = d.day OFFSET 0) a ON true
), av_put_days AS (
  INSERT INTO availability_day AS a (client_id, day, online_ms, disconnects)
  SELECT client_id, day, online_ms, disconnects FROM av_next
   WHERE online_ms <> 0 OR disconnects <> 0 ORDER BY client_id, day
  ON CONFLICT (client_id, day) DO UPDATE SET
    online_ms = EXCLUDED.online_ms, disconnects = EXCLUDED.disconnects
  RETURNING 1
), av_drop_days AS (
  -- Days with neither online time nor disconnects are not stored.
  DELETE FROM availability_day a USING av_next n
   WHERE a.client_id = n.client_id AND a.day = n.day AND n.online_ms = 0 AND n.disconnects = 0
  RETURNING 1
)`;
}

/**
 * Recomputes the whole rollup of the clients `ids` (text[]) from their
 * connections: their segments and days are dropped first (REBUILD_DROP_SQL),
 * then this writes them as if every connection and disconnect were new.
 */
export function availabilityRebuildSql(ids: readonly string[]): Sql {
  const dirty = sql`SELECT c AS client_id, '-infinity'::timestamptz AS t FROM unnest(${ids}::text[]) AS c`;
  const discs = sql`SELECT client_id, session_identifier, version_number, NULL::timestamptz AS old_disc
    FROM connection WHERE client_id = ANY(${ids}::text[]) AND disconnected_at IS NOT NULL`;
  return sql`WITH ${availabilityApplyCtes(dirty, discs)} SELECT 1`;
}

export const availabilityRebuildDropSql = (ids: readonly string[]): Sql => sql`
WITH seg AS (DELETE FROM availability_segment WHERE client_id = ANY(${ids}::text[]) RETURNING 1)
DELETE FROM availability_day WHERE client_id = ANY(${ids}::text[])`;
