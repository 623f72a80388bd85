-- The fleet search (GET /api/clients?q=, the summary's counts and the as-of
-- views with q) is a substring match, client_id LIKE '%q%': without an index
-- that reads every client_state row. A trigram index answers it from the
-- matching clients only, for any q of three characters or more.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the
-- database owner may create it. Where it cannot be created (no contrib
-- package, no CREATE right on the database) the search still works, by a
-- scan, and the migration says so instead of failing.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): the client search scans client_state', SQLERRM;
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "client_state_client_id_trgm_idx"
      ON "client_state" USING gin ("client_id" gin_trgm_ops);
  END IF;
END $$;
