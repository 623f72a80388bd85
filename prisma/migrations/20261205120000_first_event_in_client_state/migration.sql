-- One definition of when a client's history begins: client_state.first_event_at
-- (the earliest event timestamp of any type), written by ingest's client_state
-- upsert and read both by the fleet at a past moment (never_seen before it)
-- and by availability (observed time starts there). client_first_event was a
-- second copy kept by the availability rollup: its times are folded in, the
-- earlier one winning, before it goes.
UPDATE "client_state" cs SET "first_event_at" = f."first_event_at"
  FROM "client_first_event" f
 WHERE f."client_id" = cs."client_id"
   AND (cs."first_event_at" IS NULL OR f."first_event_at" < cs."first_event_at");

DROP TABLE "client_first_event";
