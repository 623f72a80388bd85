-- Ready lifecycle_event for range partitioning by event_at (docs/partitioning.md):
-- a partitioned table's unique keys must contain the partition key. Identical
-- events share their timestamp, so (dedupe_key, event_at) still stores each
-- event once, across partitions too.
ALTER TABLE "lifecycle_event" DROP CONSTRAINT "lifecycle_event_pkey";
ALTER TABLE "lifecycle_event" ADD CONSTRAINT "lifecycle_event_pkey" PRIMARY KEY ("id", "event_at");
DROP INDEX "lifecycle_event_dedupe_key_key";
CREATE UNIQUE INDEX "lifecycle_event_dedupe_key_event_at_key" ON "lifecycle_event" ("dedupe_key", "event_at");

-- Retention deletes by event time. Rows arrive roughly in event-time order, so
-- a BRIN index serves the range scan at a fraction of a b-tree's upkeep on ingest.
DROP INDEX "lifecycle_event_received_at_idx";
CREATE INDEX "lifecycle_event_event_at_idx" ON "lifecycle_event" USING BRIN ("event_at");
