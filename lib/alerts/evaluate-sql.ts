// The SQL copy of reference.ts: which alerts each rule wants at $now, and
// the writes that fire and resolve them. database tests (evaluate.test.ts)
// hold it to the pure reference over random histories.
import { TIMESTAMP_TOLERANCE_MS } from "../presence/types";

/**
 * Rows that changed within this long before the last evaluation are looked
 * at again: an ingest transaction stamps its receipt time before it commits,
 * so a row may become visible a little after the time it carries.
 */
export const WATERMARK_MARGIN_MS = 60_000;

const ms = (param: string) => `(${param}::float8 * interval '1 millisecond')`;

/** The episode of client_state's current connection, as offlineEpisode() spells it. */
export const EPISODE_SQL = `('v' || cs.version_number::text || '/' || cs.session_identifier)`;

/** When client_state's current connection is due: pendingUntil + forSeconds ($3 grace, $4 for; ms). */
export const OFFLINE_DUE_SQL = `(LEAST(COALESCE(cs.disconnect_received_at, cs.disconnected_at) + ${ms("$3")},
        cs.disconnected_at + ${ms("$3")} + ${TIMESTAMP_TOLERANCE_MS} * interval '1 millisecond') + ${ms("$4")})`;

/**
 * The SQL copy of matchesSelector's labels: client `clientExpr` carries every
 * key/value of the JSON object `labelsExpr` (null or `{}`: every client; a
 * fleet-wide alert, client null, matches only those). Each wanted label is
 * one primary-key probe of client_label.
 */
export function labelsMatchSql(clientExpr: string, labelsExpr: string): string {
  return `(${labelsExpr} IS NULL OR ${labelsExpr} = '{}'::jsonb OR NOT EXISTS (
     SELECT 1 FROM jsonb_each_text(${labelsExpr}) want(k, v)
      WHERE NOT EXISTS (SELECT 1 FROM client_label l
                         WHERE l.client_id = ${clientExpr} AND l.key = want.k AND l.value = want.v)))`;
}

/**
 * Run where client labels change: rules that select by label look at every
 * client again on their next pass (their watermark only sees status changes),
 * so a label added to a client already offline fires its alert.
 */
export const LABELS_CHANGED_SQL = `
UPDATE alert_rule SET evaluated_until = NULL
 WHERE evaluated_until IS NOT NULL AND selector -> 'labels' IS NOT NULL AND selector -> 'labels' <> '{}'::jsonb`;

/** A silence covering rule $1 and the alert's client at $2 (its selector's pattern and labels). */
export function silencedSql(clientExpr: string): string {
  return `EXISTS (SELECT 1 FROM alert_silence s
     WHERE s.starts_at <= $2 AND s.ends_at > $2
       AND (s.rule_ids IS NULL OR cardinality(s.rule_ids) = 0 OR $1::uuid = ANY (s.rule_ids))
       AND (s.client_id_like IS NULL OR ${clientExpr} LIKE s.client_id_like)
       AND ${labelsMatchSql(clientExpr, "(s.selector -> 'labels')")})`;
}

/**
 * client_offline, firing: clients whose current connection is disconnected
 * and due at $2, matching the selector ($5 pattern, $8 labels), not yet alerted for that episode.
 * $6 is the last evaluation (null: look at every disconnected client); with
 * it, only clients that may have become due since are read, through three
 * indexes: by receipt + grace + for, by timestamp + grace + tolerance + for,
 * and rows changed since (late arrivals, a connection that became current).
 * $1 rule, $2 now, $3 grace ms, $4 for ms, $5 LIKE pattern, $6 since, $7 margin ms, $8 labels.
 */
export const FIRE_OFFLINE_SQL = `
INSERT INTO alert (rule_id, client_id, episode, state, silenced, started_at, details)
SELECT $1, cs.client_id, ${EPISODE_SQL}, 'firing', ${silencedSql("cs.client_id")}, ${OFFLINE_DUE_SQL},
       jsonb_build_object('disconnectReason', cs.disconnect_reason)
  FROM client_state cs
 WHERE cs.disconnected_at IS NOT NULL AND cs.session_identifier IS NOT NULL
   AND cs.client_id LIKE $5
   AND ${OFFLINE_DUE_SQL} <= $2
   AND ${labelsMatchSql("cs.client_id", "$8::jsonb")}
   AND ($6::timestamptz IS NULL
        OR (COALESCE(cs.disconnect_received_at, cs.disconnected_at) > $6 - ${ms("$7")} - ${ms("$3")} - ${ms("$4")}
            AND COALESCE(cs.disconnect_received_at, cs.disconnected_at) <= $2 - ${ms("$3")} - ${ms("$4")})
        OR (cs.disconnected_at > $6 - ${ms("$7")} - ${ms("$3")} - ${ms("$4")} - ${TIMESTAMP_TOLERANCE_MS} * interval '1 millisecond'
            AND cs.disconnected_at <= $2 - ${ms("$3")} - ${ms("$4")} - ${TIMESTAMP_TOLERANCE_MS} * interval '1 millisecond')
        OR cs.updated_at > $6 - ${ms("$7")})
   AND NOT EXISTS (SELECT 1 FROM alert a
                    WHERE a.rule_id = $1 AND a.client_id = cs.client_id AND a.episode = ${EPISODE_SQL})
ON CONFLICT DO NOTHING
RETURNING id, client_id, silenced, started_at, incident_id`;

/**
 * client_offline, resolving: firing alerts whose episode is no longer the
 * current disconnect, or whose client left the selector (labels changed).
 * $1 rule, $2 now, $3 LIKE pattern, $4 labels.
 */
export const RESOLVE_OFFLINE_SQL = `
UPDATE alert a SET state = 'resolved', resolved_at = $2
 WHERE a.rule_id = $1 AND a.state = 'firing' AND a.episode NOT LIKE 'incident:%'
   AND (NOT EXISTS (SELECT 1 FROM client_state cs
                     WHERE cs.client_id = a.client_id AND cs.disconnected_at IS NOT NULL
                       AND ${EPISODE_SQL} = a.episode)
        OR a.client_id NOT LIKE $3
        OR NOT ${labelsMatchSql("a.client_id", "$4::jsonb")})
RETURNING id, client_id, silenced, started_at, resolved_at, incident_id`;

/** client_flapping: clients with at least $2 disconnects after $1 (the model's isFlapping); $3 LIKE, $4 labels. */
export const FLAPPING_CLIENTS_SQL = `
SELECT c.client_id FROM connection c
 WHERE c.disconnected_at > $1 AND c.client_id LIKE $3
 GROUP BY c.client_id HAVING count(*) >= $2 AND ${labelsMatchSql("c.client_id", "$4::jsonb")}`;

/** connect_failed: clients with at least $3 refused attempts in ($1, $2]; $4 LIKE, $5 labels. */
export const FAILING_CLIENTS_SQL = `
SELECT f.client_id FROM connect_failure f
 WHERE f.failed_at > $1 AND f.failed_at <= $2 AND f.client_id LIKE $4
 GROUP BY f.client_id HAVING count(*) >= $3 AND ${labelsMatchSql("f.client_id", "$5::jsonb")}`;

/** Episode-less kinds, resolving: firing alerts of clients no longer wanted. $1 rule, $2 now, $3 wanted (''= fleet). */
export const RESOLVE_UNWANTED_SQL = `
UPDATE alert a SET state = 'resolved', resolved_at = $2
 WHERE a.rule_id = $1 AND a.state = 'firing' AND a.episode NOT LIKE 'incident:%'
   AND COALESCE(a.client_id, '') <> ALL ($3::text[])
RETURNING id, client_id, silenced, started_at, resolved_at, incident_id`;

/** Episode-less kinds, firing: wanted clients without a firing alert; the episode is the start time. */
export const FIRE_WANTED_SQL = `
INSERT INTO alert (rule_id, client_id, episode, state, silenced, started_at)
SELECT $1, NULLIF(w.id, ''), 'since ' || (extract(epoch FROM $2::timestamptz) * 1000)::bigint::text,
       'firing', ${silencedSql("NULLIF(w.id, '')")}, $2
  FROM unnest($3::text[]) AS w(id)
 WHERE NOT EXISTS (SELECT 1 FROM alert a WHERE a.rule_id = $1 AND a.state = 'firing'
                    AND a.episode NOT LIKE 'incident:%' AND COALESCE(a.client_id, '') = w.id)
ON CONFLICT DO NOTHING
RETURNING id, client_id, silenced, started_at, incident_id`;
