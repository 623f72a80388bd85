-- Availability (lib/availability, docs/availability.md). Ingest keeps these
-- up to date in the transaction of each batch, so reports never lag.

-- The time of each client's first event of any type: observed time starts
-- there. Kept apart from client_state, whose first_seen_at is the server's
-- receive time, not the event's.
CREATE TABLE "client_first_event" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "first_event_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "client_first_event_pkey" PRIMARY KEY ("client_id")
);

-- The time each client was online by connections that have ended (real or
-- inferred end, as the timeline draws them), as disjoint intervals. The
-- current open connection is not in it: it is added at read time (it grows
-- with the clock), and the time from its start on is left out here so that
-- overlapping connections never count twice.
CREATE TABLE "availability_segment" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "availability_segment_pkey" PRIMARY KEY ("client_id", "starts_at"),
    CONSTRAINT "availability_segment_order_check" CHECK ("ends_at" > "starts_at")
);
-- The partial first and last day of a fleet report: segments that end after
-- the start of that day.
CREATE INDEX "availability_segment_ends_at_idx" ON "availability_segment" ("ends_at");

-- The segments summed per UTC day, and the disconnects of that day: a report
-- sums whole days from here. Days with neither are not stored.
CREATE TABLE "availability_day" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "day" DATE NOT NULL,
    "online_ms" BIGINT NOT NULL,
    "disconnects" INTEGER NOT NULL,
    CONSTRAINT "availability_day_pkey" PRIMARY KEY ("client_id", "day")
);
-- Fleet reports read a range of days for every client.
CREATE INDEX "availability_day_day_idx" ON "availability_day" ("day");

-- Clients stored before this migration: their first event. Their segments
-- and days are rebuilt by `npm run availability:rebuild`.
INSERT INTO "client_first_event" ("client_id", "first_event_at")
SELECT "client_id", min("event_at") FROM "lifecycle_event" GROUP BY "client_id";
