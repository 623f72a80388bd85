-- Ingest adds each disconnect to its client's row of the day
-- (lib/ingest/fast-rollups.ts, lib/availability/rollup-sql.ts): a row is
-- updated once per disconnect of that day. Room left in each page lets
-- PostgreSQL update it in place (a HOT update), without a new entry in
-- both indexes. Pages written before this keep their fill.
ALTER TABLE "availability_day" SET (fillfactor = 70);
