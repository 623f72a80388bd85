-- lifecycle_event becomes a table partitioned by month of event_at
-- (docs/partitioning.md): retention then drops whole expired months instead
-- of deleting their rows one by one, and the app's retention job creates the
-- months ahead. Every row is copied with its id, and ids continue where the
-- old table's identity left off (ids it handed out and never stored
-- included), so cursors over the event log and the incident job's progress
-- through ids stay valid.
--
-- One transaction (the migrator's, or the implicit one `prisma migrate
-- deploy` runs a script in): a failure leaves the old table untouched. The
-- table is locked for the whole copy, so ingest waits; docs/partitioning.md
-- gives the time per million rows.

-- The old table steps aside under another name, its index names freed.
ALTER TABLE "lifecycle_event" RENAME TO "lifecycle_event_unpartitioned";
ALTER TABLE "lifecycle_event_unpartitioned" RENAME CONSTRAINT "lifecycle_event_pkey" TO "lifecycle_event_unpartitioned_pkey";
ALTER INDEX "lifecycle_event_event_at_dedupe_key_key" RENAME TO "lifecycle_event_unpartitioned_event_at_dedupe_key_key";
ALTER INDEX "lifecycle_event_client_id_id_idx" RENAME TO "lifecycle_event_unpartitioned_client_id_id_idx";
ALTER INDEX "lifecycle_event_event_at_idx" RENAME TO "lifecycle_event_unpartitioned_event_at_idx";
DO $$
BEGIN
  EXECUTE format('ALTER SEQUENCE %s RENAME TO "lifecycle_event_unpartitioned_id_seq"',
                 pg_get_serial_sequence('"lifecycle_event_unpartitioned"', 'id'));
END $$;

CREATE TABLE "lifecycle_event" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "dedupe_key" UUID NOT NULL,
    "client_id" TEXT COLLATE "C" NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "session_identifier" TEXT COLLATE "C",
    "principal_identifier" TEXT,
    "version_number" BIGINT,
    "topic" TEXT NOT NULL,
    "raw" JSONB NOT NULL
) PARTITION BY RANGE ("event_at");

-- One partition per calendar month (UTC), named lifecycle_event_YYYY_MM, from
-- the month of the oldest row through next month. Rows further out than ten
-- years back or past next month (a device clock gone wild) go to the default
-- partition: a clock set to 1970 must not make 600 empty months. The job
-- moves a month's rows out of the default when it creates that month.
DO $$
DECLARE
  this_month CONSTANT timestamptz := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  last_month CONSTANT timestamptz := this_month + interval '1 month';
  month timestamptz;
BEGIN
  SELECT date_trunc('month', min("event_at") AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' INTO month
    FROM "lifecycle_event_unpartitioned"
   WHERE "event_at" >= this_month - interval '10 years';
  month := LEAST(COALESCE(month, this_month), this_month);
  WHILE month <= last_month LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "lifecycle_event" FOR VALUES FROM (%L) TO (%L)',
                   'lifecycle_event_' || to_char(month AT TIME ZONE 'UTC', 'YYYY_MM'),
                   month, month + interval '1 month');
    month := month + interval '1 month';
  END LOOP;
END $$;
CREATE TABLE "lifecycle_event_default" PARTITION OF "lifecycle_event" DEFAULT;

-- Copy first, index after: building each index once over the loaded rows is
-- several times faster than maintaining four indexes row by row.
INSERT INTO "lifecycle_event" ("id", "dedupe_key", "client_id", "event_type", "event_at",
    "received_at", "session_identifier", "principal_identifier", "version_number", "topic", "raw")
OVERRIDING SYSTEM VALUE
SELECT "id", "dedupe_key", "client_id", "event_type", "event_at",
       "received_at", "session_identifier", "principal_identifier", "version_number", "topic", "raw"
  FROM "lifecycle_event_unpartitioned";

-- The same keys as before; every unique key contains event_at, as a
-- partitioned table requires (migration 20261126010000_event_partition_ready).
ALTER TABLE "lifecycle_event" ADD CONSTRAINT "lifecycle_event_pkey" PRIMARY KEY ("id", "event_at");
CREATE UNIQUE INDEX "lifecycle_event_event_at_dedupe_key_key" ON "lifecycle_event" ("event_at", "dedupe_key");
CREATE INDEX "lifecycle_event_client_id_id_idx" ON "lifecycle_event" ("client_id", "id" DESC);
CREATE INDEX "lifecycle_event_event_at_idx" ON "lifecycle_event" USING BRIN ("event_at");

-- The next id follows both the largest stored id and the last one the old
-- identity handed out (inserts that lost ON CONFLICT still took an id).
DO $$
DECLARE
  last_value bigint;
  called boolean;
  next_after bigint;
BEGIN
  SELECT s.last_value, s.is_called INTO last_value, called FROM "lifecycle_event_unpartitioned_id_seq" s;
  next_after := GREATEST(
    (SELECT max("id") FROM "lifecycle_event"),
    CASE WHEN called THEN last_value END);
  IF next_after IS NOT NULL THEN
    PERFORM setval(pg_get_serial_sequence('"lifecycle_event"', 'id'), next_after, true);
  END IF;
END $$;

-- Fails, rolling everything back, should anything still depend on the old table.
DROP TABLE "lifecycle_event_unpartitioned";

-- New tables have no statistics until autovacuum gets to them.
ANALYZE "lifecycle_event";
