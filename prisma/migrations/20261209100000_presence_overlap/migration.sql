-- Where one client may have two connections covering the same instant
-- (lib/clients/overlap-sql.ts). The online rollup counts connection spans;
-- the fleet at a past moment counts clients. They differ only at instants
-- where a client has two covering spans, which needs one of:
--   'closed':  a closed connection whose disconnect comes after the next
--              connection's start (a takeover whose old disconnect is
--              stamped late): [next start, disconnect);
--   'current': the client's current open connection with a later connection
--              after it (a higher version stamped earlier): [next start, ∞).
-- A superset is enough: the as-of counts recount the clients named here
-- exactly. Ingest keeps the rows of each client it touches while the online
-- rollup is built; the rollup's rebuild recomputes them all, so this
-- migration empties the rollup's state row and the next start rebuilds.
CREATE TABLE "presence_overlap" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "kind" TEXT NOT NULL,
    "x_conn_time" TIMESTAMPTZ(3) NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    -- Every column: two equal rows would say the same thing.
    CONSTRAINT "presence_overlap_pkey" PRIMARY KEY ("client_id", "kind", "x_conn_time", "starts_at", "ends_at")
);

CREATE INDEX "presence_overlap_ends_at_idx" ON "presence_overlap" ("ends_at");

-- The fleet's size at a past moment: the clients first seen after it.
CREATE INDEX "client_state_first_event_at_idx" ON "client_state" ("first_event_at");

DELETE FROM "online_rollup_state";
