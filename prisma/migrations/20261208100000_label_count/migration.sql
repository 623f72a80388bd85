-- Per label (key and value) and shard: how many fleet clients that carry
-- it have a client_state row, and how many of those are online (their
-- current connection open). Counts and the facet of one label then sum at
-- most 64 rows instead of reading every client that carries it.
--
-- The counters are exact, not a superset (compare never_seen_client): every
-- writer of a client's state or labels holds that client's ingest lock
-- bucket (lib/ingest/store-sql.ts, LOCK_CLIENTS_SQL) and the online rollup's
-- lock, shared, for its whole transaction, so what it adds is computed from
-- a state no one else is changing. It adds it to the rows of one shard: the
-- lowest lock bucket it holds. Two transactions that hold the same bucket
-- never run at once, so no two writers ever wait on a row (or deadlock),
-- and a batch writes one row per label it moves, not one per client. Kept
-- while the online rollup is built (online_rollup_state), for the
-- infrastructure patterns it stores; a rebuild recomputes them into shard 0
-- (lib/stats/online-rollup.ts).
CREATE TABLE "label_count" (
    "key" TEXT COLLATE "C" NOT NULL,
    "value" TEXT COLLATE "C" NOT NULL,
    "shard" SMALLINT NOT NULL,
    "clients" INTEGER NOT NULL,
    "online" INTEGER NOT NULL,
    CONSTRAINT "label_count_pkey" PRIMARY KEY ("key", "value", "shard")
);

INSERT INTO "label_count" ("key", "value", "shard", "clients", "online")
SELECT l."key", l."value", 0,
       count(*)::int,
       count(*) FILTER (WHERE cs."session_identifier" IS NOT NULL AND cs."disconnected_at" IS NULL)::int
  FROM "client_label" l
  JOIN "client_state" cs ON cs."client_id" = l."client_id"
  JOIN "online_rollup_state" st ON st."id" = 1
 WHERE NOT (l."client_id" LIKE ANY (st."infrastructure_likes"))
 GROUP BY 1, 2;
