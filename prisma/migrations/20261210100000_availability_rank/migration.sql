-- The availability report's ranking, kept ahead of the request
-- (lib/availability/rank.ts): every client's figures over the last 30 whole
-- UTC days before day_to, the report's default range, sorted by an index,
-- so the first page reads 50 rows instead of summing 30 days of every client.
--
-- A job computes the rows; ingest marks each client it touches in
-- availability_rank_dirty, in the batch's transaction. A report reads the
-- kept rows of the clients not marked and computes the marked ones exactly,
-- so what it answers never lags behind what was accepted.
CREATE TABLE "availability_rank" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "online_ms" DOUBLE PRECISION NOT NULL,
    "observed_ms" DOUBLE PRECISION NOT NULL,
    "disconnects" DOUBLE PRECISION NOT NULL,
    -- online_ms / observed_ms, as the report computes it.
    "availability" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "availability_rank_pkey" PRIMARY KEY ("client_id")
);

-- Worst first (ties by client ID), and best first (ties by client ID too).
CREATE INDEX "availability_rank_asc_idx" ON "availability_rank" ("availability", "client_id");
CREATE INDEX "availability_rank_desc_idx" ON "availability_rank" ("availability" DESC, "client_id");

CREATE TABLE "availability_rank_dirty" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    CONSTRAINT "availability_rank_dirty_pkey" PRIMARY KEY ("client_id")
);

-- One row: the window the ranking is for (the 30 days before day_to), and
-- whether every client's row has been computed for it.
CREATE TABLE "availability_rank_state" (
    "id" SMALLINT NOT NULL,
    "day_to" DATE NOT NULL,
    "ready" BOOLEAN NOT NULL,
    "built_through" TEXT COLLATE "C",
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "availability_rank_state_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "availability_rank_state_one_row" CHECK ("id" = 1)
);
