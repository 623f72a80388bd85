-- Incidents (docs/incidents.md): fleet-wide bursts of disconnects, derived
-- from the connection table by the detection job (lib/incidents/job.ts).
-- Rows are kept when a late event merges or removes an incident, so an ID
-- that an alert has sent out still resolves: merged_into points at the
-- incident that took its clients, retracted_at marks one that no longer
-- meets the thresholds.
CREATE TABLE "incident" (
    "id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    -- When it closes (or would, if nothing else arrives): the detector's own figures.
    "closes_at" TIMESTAMPTZ(3) NOT NULL,
    "last_hot_at" TIMESTAMPTZ(3) NOT NULL,
    "burst_end_at" TIMESTAMPTZ(3) NOT NULL,
    "affected_clients" INTEGER NOT NULL,
    "reconnected_clients" INTEGER NOT NULL,
    "reasons" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "merged_into" UUID,
    "retracted_at" TIMESTAMPTZ(3),
    CONSTRAINT "incident_pkey" PRIMARY KEY ("id")
);
-- The list (newest first, by range) reads only live incidents.
CREATE INDEX "incident_live_started_at_idx" ON "incident" ("started_at" DESC)
    WHERE "merged_into" IS NULL AND "retracted_at" IS NULL;
-- incidentsChangedSince (alerts).
CREATE INDEX "incident_updated_at_idx" ON "incident" ("updated_at");

-- Each affected client once, with the disconnect that put it in the incident.
CREATE TABLE "incident_client" (
    "incident_id" UUID NOT NULL REFERENCES "incident" ("id") ON DELETE CASCADE,
    "client_id" TEXT COLLATE "C" NOT NULL,
    "session_identifier" TEXT COLLATE "C" NOT NULL,
    "version_number" BIGINT NOT NULL,
    "conn_time" TIMESTAMPTZ(3) NOT NULL,
    "disconnected_at" TIMESTAMPTZ(3) NOT NULL,
    "disconnect_reason" TEXT,
    "principal_identifier" TEXT,
    "ip_address" TEXT,
    "reconnected_at" TIMESTAMPTZ(3),
    CONSTRAINT "incident_client_pkey" PRIMARY KEY ("incident_id", "client_id")
);
-- The device page's incidents and openIncidentsForClients.
CREATE INDEX "incident_client_client_id_idx" ON "incident_client" ("client_id", "incident_id");

-- The job's progress through lifecycle_event ids (one row). Ids up to
-- safe_event_id are done; the ids after it are read again on the next run,
-- because a transaction that took an id may commit after a later one.
CREATE TABLE "incident_detector" (
    "id" SMALLINT NOT NULL CHECK ("id" = 1),
    "safe_event_id" BIGINT NOT NULL DEFAULT 0,
    "seen_event_id" BIGINT NOT NULL DEFAULT 0,
    "last_run_at" TIMESTAMPTZ(3),
    CONSTRAINT "incident_detector_pkey" PRIMARY KEY ("id")
);
