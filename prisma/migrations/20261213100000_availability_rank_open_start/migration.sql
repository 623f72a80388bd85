-- The start of each ranked client's open connection (NULL when none is
-- open), as it stood when its row was computed. A client whose state
-- changes is marked in availability_rank_dirty in the same transaction and
-- computed directly until its row is recomputed, so for every row a report
-- reads (the unmarked ones) it equals client_state's. The report CSV over
-- the last 30 days up to now adds today's part of the open connection from
-- it, instead of joining a million client_state rows (2 of its 10 s).
ALTER TABLE "availability_rank" ADD COLUMN "open_start" TIMESTAMPTZ(3);

-- The rows already kept: their clients' state now (marked clients, whose
-- state may have moved on, are not read from here).
UPDATE "availability_rank" k
   SET "open_start" = CASE WHEN cs."disconnected_at" IS NULL THEN cs."connected_at" END
  FROM "client_state" cs
 WHERE cs."client_id" = k."client_id" AND cs."disconnected_at" IS NULL AND cs."connected_at" IS NOT NULL;
