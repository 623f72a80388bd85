-- Alerts (issue #13): rules, channels, silences, alerts derived from the
-- presence model, and a durable outbox of deliveries with their attempts.

CREATE TABLE "alert_channel" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "url" TEXT,
    -- Webhook HMAC key or PagerDuty routing key: written once, never returned by the API.
    "secret" TEXT,
    -- Email recipients (comma-separated).
    "email_to" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "alert_channel_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "alert_rule" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "selector" JSONB NOT NULL DEFAULT '{}',
    "for_seconds" INTEGER NOT NULL DEFAULT 0,
    "threshold" DOUBLE PRECISION,
    "threshold_share" DOUBLE PRECISION,
    "window_seconds" INTEGER,
    "channel_ids" UUID[] NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    -- Evaluation watermarks (lib/alerts/evaluate-sql.ts): how far this rule has looked.
    "evaluated_until" TIMESTAMPTZ(3),
    "failure_event_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "alert" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "rule_id" UUID NOT NULL,
    -- NULL for fleet-wide rules.
    "client_id" TEXT COLLATE "C",
    -- What fired: for client_offline the disconnected connection (session, version),
    -- so one disconnect fires at most once whatever the arrival order.
    "episode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "silenced" BOOLEAN NOT NULL DEFAULT false,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "alert_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "alert_rule_id_client_id_episode_key" ON "alert" ("rule_id", "client_id", "episode");
-- At most one firing alert per rule and client (fleet rules: one per rule).
CREATE UNIQUE INDEX "alert_firing_key" ON "alert" ("rule_id", COALESCE("client_id", '')) WHERE "state" = 'firing';
CREATE INDEX "alert_started_at_idx" ON "alert" ("started_at" DESC);

CREATE TABLE "alert_delivery" (
    -- The deliveryId every attempt sends (X-Fleet-Delivery).
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "alert_id" BIGINT NOT NULL,
    "channel_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    -- The exact JSON sent on every attempt (text, not jsonb: the signature covers these bytes).
    "body" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "sent_at" TIMESTAMPTZ(3),
    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_delivery_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert" ("id") ON DELETE CASCADE,
    CONSTRAINT "alert_delivery_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channel" ("id") ON DELETE CASCADE
);
-- One firing and one resolved per alert and channel.
CREATE UNIQUE INDEX "alert_delivery_alert_id_channel_id_status_key" ON "alert_delivery" ("alert_id", "channel_id", "status");
-- The sender's queue: only deliveries still to send.
CREATE INDEX "alert_delivery_pending_idx" ON "alert_delivery" ("next_attempt_at") WHERE "state" = 'pending';

CREATE TABLE "alert_delivery_attempt" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "delivery_id" UUID NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "duration_ms" INTEGER NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "http_status" INTEGER,
    "error" TEXT,
    CONSTRAINT "alert_delivery_attempt_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_delivery_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "alert_delivery" ("id") ON DELETE CASCADE
);
CREATE INDEX "alert_delivery_attempt_delivery_id_idx" ON "alert_delivery_attempt" ("delivery_id");

CREATE TABLE "alert_silence" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "selector" JSONB,
    "rule_ids" UUID[],
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    -- The selector's clientIdPattern as a LIKE pattern (lib/alerts/selector.ts), for SQL.
    "client_id_like" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "alert_silence_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "alert_silence_ends_at_idx" ON "alert_silence" ("ends_at");

-- The scheduler's client_offline query (lib/alerts/evaluate-offline.ts) looks
-- only at clients that may have become due since its last run: by the
-- receipt of their disconnect, by its timestamp (client_state_disconnected_at_idx)
-- and by any change of the row (a connection that became current late).
CREATE INDEX "client_state_disconnect_received_idx" ON "client_state" (COALESCE("disconnect_received_at", "disconnected_at")) WHERE "disconnected_at" IS NOT NULL;
CREATE INDEX "client_state_disconnected_updated_at_idx" ON "client_state" ("updated_at") WHERE "disconnected_at" IS NOT NULL;
-- connect_failed rules count refused attempts in a recent window.
CREATE INDEX "connect_failure_failed_at_idx" ON "connect_failure" ("failed_at");
