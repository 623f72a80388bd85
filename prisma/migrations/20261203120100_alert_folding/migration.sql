-- Storm folding (lib/alerts/fold.ts): while an incident is open, the
-- per-client alerts of its clients are recorded against it and one incident
-- alert per rule speaks for them, with updates at most every few minutes.

-- For a client alert: the incident it was folded into (sent nothing itself).
-- For an incident alert (episode 'incident:<id>'): the incident it stands for.
ALTER TABLE "alert" ADD COLUMN "incident_id" TEXT;
CREATE INDEX "alert_rule_id_incident_id_idx" ON "alert" ("rule_id", "incident_id") WHERE "incident_id" IS NOT NULL;

-- Several incident alerts of one rule may fire at once; a client still has one.
DROP INDEX "alert_firing_key";
CREATE UNIQUE INDEX "alert_firing_key" ON "alert" ("rule_id", COALESCE("client_id", ''))
    WHERE "state" = 'firing' AND "episode" NOT LIKE 'incident:%';

-- An incident alert sends one firing, then updates (seq 1, 2, …), then one resolved.
ALTER TABLE "alert_delivery" ADD COLUMN "seq" INTEGER NOT NULL DEFAULT 0;
DROP INDEX "alert_delivery_alert_id_channel_id_status_key";
CREATE UNIQUE INDEX "alert_delivery_alert_id_channel_id_status_seq_key" ON "alert_delivery" ("alert_id", "channel_id", "status", "seq");
