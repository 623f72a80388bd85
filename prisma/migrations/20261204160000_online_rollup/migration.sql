-- The online chart's rollup (lib/stats/online-rollup.ts). Per minute instant
-- M: how many connection spans start in (M - 1 min, M] and how many end there;
-- spans still open end at 'infinity'. The number online at a minute instant T
-- is the sum of starts minus ends over every row at or before T.
CREATE TABLE "online_minute" (
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "starts" INTEGER NOT NULL DEFAULT 0,
    "ends" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "online_minute_pkey" PRIMARY KEY ("minute")
);

-- One row once the rollup has been built: which clients it leaves out (the
-- infrastructure globs as LIKE patterns) and how many fleet clients have a
-- client_state row (the fleet's total, kept by ingest too). Without it, or
-- when the app's globs differ, the chart and the counts are computed from
-- the connection and client_state tables instead.
CREATE TABLE "online_rollup_state" (
    "id" SMALLINT NOT NULL,
    "infrastructure_likes" TEXT[] NOT NULL,
    "clients" INTEGER NOT NULL DEFAULT 0,
    "built_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "online_rollup_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "online_rollup_state_id_check" CHECK ("id" = 1)
);
