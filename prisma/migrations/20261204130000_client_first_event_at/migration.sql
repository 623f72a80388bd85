-- When each client's history begins: the earliest event timestamp (broker
-- clock, any event type). The fleet at a past moment lists a client as
-- never_seen before it. Ingest keeps it with LEAST(), so arrival order and
-- duplicates cannot move it. Rows from before this migration are backfilled
-- from the stored events and the derived tables (events may have expired
-- under retention; connections and failed attempts stay).
ALTER TABLE "client_state" ADD COLUMN "first_event_at" TIMESTAMPTZ(3);

UPDATE "client_state" cs SET "first_event_at" = LEAST(
  (SELECT min(e.event_at) FROM "lifecycle_event" e WHERE e.client_id = cs.client_id),
  (SELECT min(LEAST(c.connected_at, c.disconnected_at)) FROM "connection" c WHERE c.client_id = cs.client_id),
  (SELECT min(f.failed_at) FROM "connect_failure" f WHERE f.client_id = cs.client_id),
  (SELECT min(s.event_at) FROM "subscription_state" s WHERE s.client_id = cs.client_id),
  cs.last_event_at);
