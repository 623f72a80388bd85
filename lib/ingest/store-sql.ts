// The set-based statements of one ingest batch. Each takes the whole batch as
// one JSON parameter: one round trip per statement, whatever the batch size.
// The merge rules mirror lib/presence (connections.ts, subscriptions.ts).
import { ROLLUP_LOCK } from "../stats/online-rollup-sql";
import { TOPIC_PREFIXES } from "./schemas";

/**
 * The topic of an accepted event, rebuilt in SQL: parse.ts accepts a topic
 * only if it is exactly its event type's prefix followed by the payload's
 * client ID (and builds that topic for a bare payload), so the statement's
 * input need not carry it (about a sixth of its bytes).
 */
const TOPIC_SQL = `CASE event_type ${Object.entries(TOPIC_PREFIXES)
  .map(([type, prefix]) => `WHEN '${type}' THEN '${prefix}'`) // constants without quotes
  .join(" ")} END || client_id`;

/**
 * Advisory locks a batch takes at most: client IDs hash into this many
 * buckets and a batch locks the buckets of its clients. One lock per client
 * let a single token fill PostgreSQL's shared lock table (max_locks_per_transaction
 * × max_connections slots, shared by every database of the server): eight
 * concurrent batches of ~8,800 clients made writes elsewhere fail with "out
 * of shared memory". Now no batch size can take more than this many locks.
 * Batches whose clients share a bucket wait for each other (a few more than
 * before share one); they serialised on those clients anyway.
 */
export const INGEST_LOCK_BUCKETS = 64;
/** The first key of the two-key advisory locks of ingest: apart from every single-key lock. */
const INGEST_LOCK_SPACE = 0x1f1e;

/**
 * The lock bucket of the client ID `column`. Rows kept per bucket
 * (label_count) are written only by transactions holding that bucket.
 */
export const lockBucketSql = (column: string): string =>
  `(hashtextextended(${column}, 0) & ${INGEST_LOCK_BUCKETS - 1})::smallint`;

/** Serialises batches that share a client bucket, in one global order so they cannot deadlock. */
export const LOCK_CLIENTS_SQL = `
SELECT pg_advisory_xact_lock(${INGEST_LOCK_SPACE}, b), b
  FROM (SELECT DISTINCT ${lockBucketSql("c")}::int AS b
          FROM unnest($1::text[]) AS c ORDER BY 1) AS buckets`;

/**
 * A batch's locks in one statement: its client buckets (LOCK_CLIENTS_SQL),
 * then the online chart's rollup lock, shared, so that no rebuild of that
 * rollup runs between the batch's two rollup statements (lib/ingest/rollups.ts).
 * The statement reads nothing: the batch's later statements see whatever a
 * rebuild it waited for committed. It also turns JIT off for the rest of the
 * transaction: the rollup statements' estimates (generate_series guesses
 * 1,000 days per segment) passed jit_above_cost, and compiling them took
 * ten times longer than running them. Its `shard`, the lowest bucket locked,
 * is where the label counters of the batch's in-order clients go
 * (lib/ingest/fast-rollups.ts).
 */
export const LOCK_BATCH_SQL = `
WITH buckets AS MATERIALIZED (${LOCK_CLIENTS_SQL})
SELECT pg_advisory_xact_lock_shared(${ROLLUP_LOCK}), set_config('jit', 'off', true), shard
  FROM (SELECT count(*), min(b)::int AS shard FROM buckets) AS locked`;

/**
 * Inserts new events (duplicates skip on the dedupe key) and folds only the
 * new ones into connections, subscription states and failed attempts. Returns
 * the dedupe keys of the events that were already stored: returning the
 * stored ones instead cost a row per event to format, send and parse.
 * $1: JSON array of {dedupe_key, ord, src, raw} (src: contract/sources.ts): each payload travels once,
 * as validated, and the typed columns are read from it here, nulled per event
 * type as lib/ingest/parse.ts `toEvent` does (a field the schema does not
 * check for that type is never cast). $2: the server's receive time.
 */
export const INSERT_EVENTS_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(dedupe_key uuid, ord int, src text, raw jsonb)
), typed AS (
  SELECT input.*, raw->>'eventType' AS event_type FROM input
), rows AS (
  SELECT dedupe_key, ord, raw, event_type, src,
         raw->>'clientId' AS client_id,
         to_timestamp((raw->>'timestamp')::float8 / 1000.0) AS event_at,
         raw->>'sessionIdentifier' AS session_identifier,
         raw->>'principalIdentifier' AS principal_identifier,
         raw->>'thingName' AS thing_name,
         CASE WHEN event_type IN ('connected', 'disconnected', 'connect_failed')
              THEN (raw->>'versionNumber')::bigint END AS version_number,
         CASE WHEN event_type = 'disconnected' THEN raw->>'disconnectReason' END AS disconnect_reason,
         CASE WHEN event_type = 'disconnected'
              THEN (raw->>'clientInitiatedDisconnect')::boolean END AS client_initiated_disconnect,
         CASE WHEN event_type IN ('connected', 'connect_failed') THEN raw->>'ipAddress' END AS ip_address,
         CASE WHEN event_type IN ('subscribed', 'unsubscribed') THEN raw->'topics' END AS topics,
         CASE WHEN event_type = 'connect_failed' THEN raw->>'connectFailureReason' END AS connect_failure_reason
    FROM typed
), ins AS (
  INSERT INTO lifecycle_event (dedupe_key, client_id, event_type, event_at, received_at,
      session_identifier, principal_identifier, version_number, topic, raw)
  SELECT dedupe_key, client_id, event_type, event_at, $2, session_identifier,
         principal_identifier, version_number, ${TOPIC_SQL}, raw
    FROM rows ORDER BY ord -- ids follow arrival order within the batch
  ON CONFLICT (dedupe_key, event_at) DO NOTHING
  RETURNING id, dedupe_key
), fresh AS (
  SELECT rows.*, ins.id FROM rows JOIN ins USING (dedupe_key)
), first_connect AS (
  -- Per connection key, the earliest connected event and the latest
  -- disconnected one: one sort each over the batch, not an ordered aggregate
  -- (a sort) per field per connection.
  SELECT DISTINCT ON (client_id, session_identifier, version_number)
         client_id, session_identifier, version_number, event_at, principal_identifier, ip_address, thing_name, src
    FROM fresh WHERE event_type = 'connected'
   ORDER BY client_id, session_identifier, version_number, event_at
), last_disconnect AS (
  SELECT DISTINCT ON (client_id, session_identifier, version_number)
         client_id, session_identifier, version_number, event_at, principal_identifier, thing_name,
         disconnect_reason, client_initiated_disconnect, src
    FROM fresh WHERE event_type = 'disconnected'
   ORDER BY client_id, session_identifier, version_number, event_at DESC
), presence AS (
  -- One row per connection key: an INSERT may not touch the same row twice.
  SELECT client_id, session_identifier, version_number,
         fc.event_at AS connected_at,
         ld.event_at AS disconnected_at,
         CASE WHEN ld.event_at IS NOT NULL THEN $2::timestamptz END AS disconnect_received_at,
         ld.disconnect_reason,
         ld.client_initiated_disconnect,
         COALESCE(fc.principal_identifier, ld.principal_identifier) AS principal_identifier,
         fc.ip_address,
         COALESCE(fc.thing_name, ld.thing_name) AS thing_name,
         COALESCE(fc.src, ld.src) AS source
    FROM first_connect fc FULL JOIN last_disconnect ld USING (client_id, session_identifier, version_number)
), conn AS (
  INSERT INTO connection AS c (client_id, session_identifier, version_number, connected_at,
      disconnected_at, disconnect_received_at, disconnect_reason, client_initiated_disconnect,
      principal_identifier, ip_address, thing_name, source)
  SELECT * FROM presence ORDER BY client_id, session_identifier, version_number
  ON CONFLICT (client_id, session_identifier, version_number) DO UPDATE SET
    connected_at = LEAST(c.connected_at, EXCLUDED.connected_at),
    principal_identifier = CASE WHEN EXCLUDED.connected_at < c.connected_at OR c.connected_at IS NULL
        THEN COALESCE(EXCLUDED.principal_identifier, c.principal_identifier)
        ELSE COALESCE(c.principal_identifier, EXCLUDED.principal_identifier) END,
    ip_address = CASE WHEN EXCLUDED.connected_at < c.connected_at OR c.connected_at IS NULL
        THEN COALESCE(EXCLUDED.ip_address, c.ip_address)
        ELSE COALESCE(c.ip_address, EXCLUDED.ip_address) END,
    thing_name = CASE WHEN EXCLUDED.connected_at < c.connected_at OR c.connected_at IS NULL
        THEN COALESCE(EXCLUDED.thing_name, c.thing_name)
        ELSE COALESCE(c.thing_name, EXCLUDED.thing_name) END,
    disconnected_at = GREATEST(c.disconnected_at, EXCLUDED.disconnected_at),
    disconnect_received_at = LEAST(c.disconnect_received_at, EXCLUDED.disconnect_received_at),
    disconnect_reason = CASE WHEN EXCLUDED.disconnected_at > c.disconnected_at OR c.disconnected_at IS NULL
        THEN EXCLUDED.disconnect_reason ELSE c.disconnect_reason END,
    client_initiated_disconnect = CASE WHEN EXCLUDED.disconnected_at > c.disconnected_at OR c.disconnected_at IS NULL
        THEN EXCLUDED.client_initiated_disconnect ELSE c.client_initiated_disconnect END,
    -- One connection key from two sources is a misconfiguration; whichever
    -- order they come in, the same one is kept.
    source = LEAST(c.source, EXCLUDED.source)
  RETURNING 1
), subs AS (
  -- Later timestamp wins; on a tie unsubscribed wins, then the greater session.
  INSERT INTO subscription_state AS s (client_id, topic, event_type, event_at, session_identifier)
  SELECT DISTINCT ON (client_id, t.topic) client_id, t.topic, event_type, event_at, session_identifier
    FROM fresh CROSS JOIN LATERAL jsonb_array_elements_text(topics) AS t(topic)
   WHERE event_type IN ('subscribed', 'unsubscribed')
   ORDER BY client_id, t.topic, event_at DESC, (event_type = 'unsubscribed') DESC, session_identifier DESC
  ON CONFLICT (client_id, topic) DO UPDATE SET
    event_type = EXCLUDED.event_type, event_at = EXCLUDED.event_at,
    session_identifier = EXCLUDED.session_identifier
   WHERE (EXCLUDED.event_at, EXCLUDED.event_type = 'unsubscribed', EXCLUDED.session_identifier)
       > (s.event_at, s.event_type = 'unsubscribed', s.session_identifier)
  RETURNING 1
), failures AS (
  INSERT INTO connect_failure (event_id, client_id, failed_at, reason, principal_identifier, ip_address)
  SELECT id, client_id, event_at, connect_failure_reason, principal_identifier, ip_address
    FROM fresh WHERE event_type = 'connect_failed'
  RETURNING 1
)
-- The duplicates, usually none: the caller knows the rest were stored.
SELECT dedupe_key::text AS dedupe_key FROM rows
 WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.dedupe_key = rows.dedupe_key)`;

/**
 * What the two statements below return: the clients whose row they
 * inserted (seen for the first time), whose count the rollups need. An
 * inserted row version has no xmax; one ON CONFLICT updated carries the
 * lock of the update.
 */
const NEW_ROWS = "SELECT client_id FROM up WHERE up.xmax::text = '0'";

/**
 * Refreshes each touched client's derived row in one statement: the current
 * connection is picked in SQL by the rule of lib/presence/current.ts (the
 * database convergence test proves the two agree). $1: JSON array of
 * {client_id, last_connected_at, last_disconnected_at, last_event_at,
 * first_event_at} in epoch ms, $2: the receive time, $3: the version-reset
 * window in ms.
 */
export const REFRESH_CLIENT_STATE_SQL = `
WITH t AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(client_id text, last_connected_at float8,
      last_disconnected_at float8, last_event_at float8, first_event_at float8)
), cur AS (
  SELECT t.client_id, t.last_connected_at, t.last_disconnected_at, t.last_event_at, t.first_event_at, c.*
    FROM t LEFT JOIN LATERAL (
      -- Among connections within W of the latest, the highest version wins;
      -- ties: later time, then greater session.
      SELECT c.session_identifier, c.version_number, c.connected_at, c.disconnected_at,
             c.disconnect_received_at, c.disconnect_reason, c.client_initiated_disconnect,
             c.principal_identifier, c.ip_address, c.thing_name, c.source
        FROM connection c
       WHERE c.client_id = t.client_id
         AND c.conn_time >= (SELECT max(conn_time) FROM connection m WHERE m.client_id = t.client_id)
                            - $3 * interval '1 millisecond'
       ORDER BY c.version_number DESC, c.conn_time DESC, c.session_identifier DESC
       LIMIT 1) c ON true
), up AS (
INSERT INTO client_state AS cs (client_id, session_identifier, version_number, connected_at,
    disconnected_at, disconnect_received_at, disconnect_reason, client_initiated_disconnect,
    principal_identifier, ip_address, thing_name, last_connected_at, last_disconnected_at,
    last_event_at, first_event_at, first_seen_at, updated_at, source)
SELECT client_id, session_identifier, version_number, connected_at, disconnected_at,
       disconnect_received_at, disconnect_reason, client_initiated_disconnect,
       principal_identifier, ip_address, thing_name, to_timestamp(last_connected_at / 1000.0),
       to_timestamp(last_disconnected_at / 1000.0), to_timestamp(last_event_at / 1000.0),
       to_timestamp(first_event_at / 1000.0), $2, $2, COALESCE(source, 'aws')
  FROM cur ORDER BY client_id
ON CONFLICT (client_id) DO UPDATE SET
  session_identifier = EXCLUDED.session_identifier,
  version_number = EXCLUDED.version_number,
  connected_at = EXCLUDED.connected_at,
  disconnected_at = EXCLUDED.disconnected_at,
  disconnect_received_at = EXCLUDED.disconnect_received_at,
  disconnect_reason = EXCLUDED.disconnect_reason,
  client_initiated_disconnect = EXCLUDED.client_initiated_disconnect,
  principal_identifier = EXCLUDED.principal_identifier,
  ip_address = EXCLUDED.ip_address,
  thing_name = EXCLUDED.thing_name,
  -- The current connection's source: the client's, by the same rule as its status.
  source = EXCLUDED.source,
  last_connected_at = GREATEST(cs.last_connected_at, EXCLUDED.last_connected_at),
  last_disconnected_at = GREATEST(cs.last_disconnected_at, EXCLUDED.last_disconnected_at),
  last_event_at = GREATEST(cs.last_event_at, EXCLUDED.last_event_at),
  first_event_at = LEAST(cs.first_event_at, EXCLUDED.first_event_at),
  updated_at = EXCLUDED.updated_at
RETURNING cs.client_id, cs.xmax
)
${NEW_ROWS}`;

/**
 * The derived row of clients whose batch events changed none of their
 * connections (subscribed, unsubscribed, connect_failed only): the current
 * connection cannot have changed, so only the last-event time moves, without
 * REFRESH_CLIENT_STATE_SQL's per-client lookup (two index probes and a sort,
 * about a third of that statement's cost). A client seen for the first time
 * this way has no connection yet, which is what the full refresh would find.
 * (A changed VERSION_RESET_WINDOW_SECONDS takes effect for a client at its
 * next connection event.)
 * A client first seen this way takes the batch's source until a connection gives it one.
 * $1: JSON array of {client_id, last_event_at, first_event_at, source} (epoch ms),
 * $2: the receive time.
 */
export const TOUCH_CLIENT_STATE_SQL = `
WITH up AS (
INSERT INTO client_state AS cs (client_id, last_event_at, first_event_at, first_seen_at, updated_at, source)
SELECT client_id, to_timestamp(last_event_at / 1000.0), to_timestamp(first_event_at / 1000.0), $2, $2, source
  FROM jsonb_to_recordset($1::jsonb) AS x(client_id text, last_event_at float8, first_event_at float8, source text)
 ORDER BY client_id
ON CONFLICT (client_id) DO UPDATE SET
  last_event_at = GREATEST(cs.last_event_at, EXCLUDED.last_event_at),
  first_event_at = LEAST(cs.first_event_at, EXCLUDED.first_event_at),
  updated_at = EXCLUDED.updated_at
RETURNING cs.client_id, cs.xmax
)
${NEW_ROWS}`;

/** Rejected input, with the reason and the raw text. $1: JSON array. */
export const INSERT_QUARANTINE_SQL = `
INSERT INTO quarantined_event (received_at, topic, reason, raw)
SELECT $2, topic, reason, raw
  FROM jsonb_to_recordset($1::jsonb) AS x(topic text, reason text, raw text)`;

/** One notification per committed batch; SSE listeners in every app instance pick it up. */
export const CHANGES_CHANNEL = "fleet_changes";
