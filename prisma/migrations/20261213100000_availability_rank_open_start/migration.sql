-- The start of each ranked client's open connection (NULL when none is
-- open), as it stood when its row was computed. An event stamped before the
-- window's end marks the client in availability_rank_dirty (computed
-- directly until its row is recomputed); a later one may leave it unmarked
-- (the window's figures did not move) but sets client_state.last_event_at
-- at or after the window's end. So for an unmarked client whose last event
-- is before the window's end, this equals client_state's. The report CSV
-- over the last 30 days up to now reads it for those, and client_state only
-- for the clients with events since, instead of joining a million
-- client_state rows (2 of its 10 s).
ALTER TABLE "availability_rank" ADD COLUMN "open_start" TIMESTAMPTZ(3);

-- The rows already kept: their clients' state now (marked clients, whose
-- state may have moved on, are not read from here).
UPDATE "availability_rank" k
   SET "open_start" = CASE WHEN cs."disconnected_at" IS NULL THEN cs."connected_at" END
  FROM "client_state" cs
 WHERE cs."client_id" = k."client_id" AND cs."disconnected_at" IS NULL AND cs."connected_at" IS NOT NULL;
