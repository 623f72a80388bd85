-- Fleet presence: raw lifecycle events and the state derived from them.
-- Client IDs and topics use the "C" collation: byte order matches the model's
-- string comparisons, and LIKE/prefix searches can use plain b-tree indexes.

-- Every accepted event, once (dedupe_key is a hash of the canonical payload).
-- The id is the insertion order, used by cursors over the raw event log.
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
    "raw" JSONB NOT NULL,
    CONSTRAINT "lifecycle_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "lifecycle_event_dedupe_key_key" ON "lifecycle_event" ("dedupe_key");
CREATE INDEX "lifecycle_event_client_id_id_idx" ON "lifecycle_event" ("client_id", "id" DESC);
CREATE INDEX "lifecycle_event_received_at_idx" ON "lifecycle_event" ("received_at");

-- One row per (client, session, version): the connect fills the start, the
-- disconnect the end, in whichever order they arrive.
CREATE TABLE "connection" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "session_identifier" TEXT COLLATE "C" NOT NULL,
    "version_number" BIGINT NOT NULL,
    "connected_at" TIMESTAMPTZ(3),
    "disconnected_at" TIMESTAMPTZ(3),
    "disconnect_received_at" TIMESTAMPTZ(3),
    "disconnect_reason" TEXT,
    "client_initiated_disconnect" BOOLEAN,
    "principal_identifier" TEXT,
    "ip_address" TEXT,
    "thing_name" TEXT,
    "conn_time" TIMESTAMPTZ(3) GENERATED ALWAYS AS (COALESCE("connected_at", "disconnected_at")) STORED,
    CONSTRAINT "connection_pkey" PRIMARY KEY ("client_id", "session_identifier", "version_number")
);
CREATE INDEX "connection_client_id_conn_time_idx" ON "connection" ("client_id", "conn_time");
CREATE INDEX "connection_conn_time_idx" ON "connection" ("conn_time");
CREATE INDEX "connection_disconnected_at_idx" ON "connection" ("disconnected_at");
-- Flapping counts one client's recent disconnects at read time.
CREATE INDEX "connection_client_id_disconnected_at_idx" ON "connection" ("client_id", "disconnected_at");

-- Per client: its current connection (chosen by lib/presence) and what the
-- fleet list shows, so listing 100,000 clients reads one row each.
CREATE TABLE "client_state" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "session_identifier" TEXT COLLATE "C",
    "version_number" BIGINT,
    "connected_at" TIMESTAMPTZ(3),
    "disconnected_at" TIMESTAMPTZ(3),
    "disconnect_received_at" TIMESTAMPTZ(3),
    "disconnect_reason" TEXT,
    "client_initiated_disconnect" BOOLEAN,
    "principal_identifier" TEXT,
    "ip_address" TEXT,
    "thing_name" TEXT,
    "last_connected_at" TIMESTAMPTZ(3),
    "last_disconnected_at" TIMESTAMPTZ(3),
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "client_state_pkey" PRIMARY KEY ("client_id")
);
CREATE INDEX "client_state_last_event_at_client_id_idx" ON "client_state" ("last_event_at", "client_id");
CREATE INDEX "client_state_disconnected_at_idx" ON "client_state" ("disconnected_at");

-- Per (client, topic filter): the winning subscription event.
CREATE TABLE "subscription_state" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "topic" TEXT COLLATE "C" NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "session_identifier" TEXT COLLATE "C" NOT NULL,
    CONSTRAINT "subscription_state_pkey" PRIMARY KEY ("client_id", "topic")
);

-- Refused connection attempts (connect_failed): no connection, but operators see them.
CREATE TABLE "connect_failure" (
    "event_id" BIGINT NOT NULL,
    "client_id" TEXT COLLATE "C" NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "principal_identifier" TEXT,
    "ip_address" TEXT,
    CONSTRAINT "connect_failure_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "connect_failure_client_id_failed_at_idx" ON "connect_failure" ("client_id", "failed_at" DESC);

-- Input that failed validation: kept with the reason and the raw text, never dropped.
CREATE TABLE "quarantined_event" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "topic" TEXT,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,
    CONSTRAINT "quarantined_event_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "quarantined_event_received_at_idx" ON "quarantined_event" ("received_at");
