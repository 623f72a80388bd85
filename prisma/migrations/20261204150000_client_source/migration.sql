-- Where a client's events come from (contract/sources.ts): AWS IoT lifecycle
-- events (the bridge, or the IoT rule HTTPS action), EMQX (the $SYS bridge
-- mapping or its rule-engine webhook) or Azure IoT Hub via Event Grid. Kept
-- per connection and copied to the client's row from its current connection,
-- so the client's source follows the same order-independent rule as its
-- status. Rows from before this migration: EMQX's mapping always used
-- `emqx:`-prefixed session identifiers, everything else was AWS-format.
ALTER TABLE "connection" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'aws';
ALTER TABLE "client_state" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'aws';
UPDATE "connection" SET "source" = 'emqx' WHERE "session_identifier" LIKE 'emqx:%';
UPDATE "client_state" SET "source" = 'emqx' WHERE "session_identifier" LIKE 'emqx:%';

-- `source=` filters of the fleet list.
CREATE INDEX "client_state_source_client_id_idx" ON "client_state" ("source", "client_id");

-- AWS IoT rule destination confirmations (POST /api/ingest/aws-rule): what
-- an admin needs to confirm the destination, one row per destination ARN
-- (a re-sent confirmation replaces the token).
CREATE TABLE "aws_rule_destination" (
    "arn" TEXT NOT NULL,
    "confirmation_token" TEXT NOT NULL,
    "enable_url" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "auto_confirm_status" TEXT,
    "auto_confirmed_at" TIMESTAMPTZ(3),
    CONSTRAINT "aws_rule_destination_pkey" PRIMARY KEY ("arn")
);
