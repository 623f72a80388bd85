-- The never-seen clients (labelled client IDs with no client_state row) as a
-- maintained set, so the fleet counts and the list read them in time
-- proportional to their number rather than by an anti-join of every label
-- against every client.
--
-- The table is a SUPERSET of the never-seen clients, not the exact set: every
-- read still keeps a candidate only if it has a label and no client_state
-- row (two index probes per candidate). Exact triggers would need a lock per
-- client around every label write and every first event (a label write and
-- a device's first event may commit concurrently under READ COMMITTED, each
-- not seeing the other's row); a 100,000-client import cannot take 100,000
-- locks. A superset only needs each trigger to ADD a candidate whenever its
-- change may make one, and to REMOVE one only when the removal can never be
-- wrong: a client_state row is never deleted by the application, so a
-- client that has one is no candidate for good. Label deletes remove nothing
-- here; candidates left without labels (and those a race left behind) are
-- pruned by the retention job under locks (lib/clients/never-seen-prune.ts).
CREATE TABLE "never_seen_client" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    CONSTRAINT "never_seen_client_pkey" PRIMARY KEY ("client_id")
);

INSERT INTO "never_seen_client" ("client_id")
SELECT DISTINCT l."client_id" FROM "client_label" l
 WHERE NOT EXISTS (SELECT 1 FROM "client_state" cs WHERE cs."client_id" = l."client_id");

-- Statement-level with transition tables: an import of 100,000 label rows is
-- one insert here, not 100,000 trigger calls. The client IDs go through an
-- array so that the (cached) plan probes the primary keys whatever the batch
-- size: a plan made for a bulk load must not scan client_state for a
-- one-label write.

-- Labels written for a client with no client_state row (as this transaction
-- sees it) make it a candidate; a concurrent first event leaves at worst a
-- stale candidate, which reads skip.
CREATE FUNCTION never_seen_client_labelled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO never_seen_client (client_id)
  SELECT c.id FROM unnest(ARRAY(SELECT DISTINCT n.client_id FROM new_label n ORDER BY 1)) AS c(id)
   WHERE NOT EXISTS (SELECT 1 FROM client_state cs WHERE cs.client_id = c.id)
  ON CONFLICT (client_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER client_label_inserted_never_seen
  AFTER INSERT ON client_label REFERENCING NEW TABLE AS new_label
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_labelled();

CREATE TRIGGER client_label_updated_never_seen
  AFTER UPDATE ON client_label REFERENCING NEW TABLE AS new_label
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_labelled();

-- A first event (a client_state row inserted; ingest's upserts list only the
-- rows they inserted here, not those they updated) ends a client's
-- candidacy for good.
CREATE FUNCTION never_seen_client_seen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM never_seen_client
   WHERE client_id = ANY (ARRAY(SELECT s.client_id FROM new_state s));
  RETURN NULL;
END $$;

CREATE TRIGGER client_state_inserted_never_seen
  AFTER INSERT ON client_state REFERENCING NEW TABLE AS new_state
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_seen();

-- Nothing in the application deletes client_state rows; a manual delete
-- makes each deleted client a candidate again, labelled or not (whether it
-- has labels may change before this transaction commits), and the prune
-- drops those without labels.
CREATE FUNCTION never_seen_client_unseen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO never_seen_client (client_id)
  SELECT o.client_id FROM old_state o ORDER BY 1
  ON CONFLICT (client_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER client_state_deleted_never_seen
  AFTER DELETE ON client_state REFERENCING OLD TABLE AS old_state
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_unseen();

-- TRUNCATE (tests, benchmarks, a manual reset) fires no delete trigger.
-- Emptied client_state: every labelled client is a candidate again. Emptied
-- client_label (ACCESS EXCLUSIVE: no label write runs meanwhile): none is.
CREATE FUNCTION never_seen_client_state_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO never_seen_client (client_id)
  SELECT DISTINCT l.client_id FROM client_label l ORDER BY 1
  ON CONFLICT (client_id) DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER client_state_truncated_never_seen
  AFTER TRUNCATE ON client_state
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_state_truncated();

CREATE FUNCTION never_seen_client_labels_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM never_seen_client;
  RETURN NULL;
END $$;

CREATE TRIGGER client_label_truncated_never_seen
  AFTER TRUNCATE ON client_label
  FOR EACH STATEMENT EXECUTE FUNCTION never_seen_client_labels_truncated();
