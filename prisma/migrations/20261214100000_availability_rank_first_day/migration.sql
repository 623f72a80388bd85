-- The ranked client's figures on the first day of the ranking's window (its
-- availability_day row: 0 and 0 without one), as they stood when its row
-- was computed. The report CSV over the last 30 days up to now takes away
-- the part of that day before the range starts; it read the day's row per
-- client (a million probes of availability_day, 13 s of the 25 s the CSV
-- took at a million clients) and now reads it here. Kept as open_start is:
-- the row is recomputed when an event stamped before the window's end marks
-- the client, and for clients with an event stamped at or after it (one
-- that closes a connection open since before the window changes the first
-- day's row without moving the window's figures) the report reads the day's
-- row itself.
ALTER TABLE "availability_rank"
  ADD COLUMN "first_day_online_ms" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "first_day_disconnects" INTEGER NOT NULL DEFAULT 0;

-- The rows already kept: their first day's row now (marked clients are not
-- read from here).
UPDATE "availability_rank" k
   SET "first_day_online_ms" = d."online_ms", "first_day_disconnects" = d."disconnects"
  FROM "availability_rank_state" st, "availability_day" d
 WHERE st."id" = 1 AND d."client_id" = k."client_id" AND d."day" = st."day_to" - 30;
