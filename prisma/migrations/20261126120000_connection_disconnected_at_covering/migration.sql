-- The online-history chart reads (connected_at, disconnected_at) of every
-- connection that ended inside its window (a quarter of the table for 7 days
-- on the benchmark fleet). With connected_at carried in the index that is an
-- index-only scan instead of one heap visit per row, scattered over the whole
-- table (bench/results/plans: "online history, 7 days"). Same key as the index
-- it replaces, so the flapping count and the open-connection scan
-- (disconnected_at IS NULL) use it as before, and ingest maintains one index,
-- not two.
CREATE INDEX "connection_disconnected_at_connected_at_idx" ON "connection" ("disconnected_at") INCLUDE ("connected_at");
DROP INDEX "connection_disconnected_at_idx";
