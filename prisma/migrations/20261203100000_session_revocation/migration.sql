-- Sessions end when their operator's password changes or the operator is
-- disabled, whichever path made the change (the admin API, `npm run
-- user:add`, the password reset of every `npm start`, plain SQL): the rule
-- lives here, not in each caller. Every revocation (logout included) and
-- every deleted session is announced on the channel `fleet_sessions`, so
-- that each app instance ends the live streams of those sessions at once
-- (lib/stream/stream-sessions.ts).
CREATE FUNCTION operator_revoke_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
     OR (NEW.disabled AND NOT OLD.disabled) THEN
    UPDATE operator_session SET revoked_at = now()
     WHERE operator_id = NEW.id AND revoked_at IS NULL;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER operator_revoke_sessions
  AFTER UPDATE OF password_hash, disabled ON operator
  FOR EACH ROW EXECUTE FUNCTION operator_revoke_sessions();

CREATE FUNCTION operator_session_announce_end() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- One notice per statement and operator: NOTIFY folds duplicates within a transaction.
  PERFORM pg_notify('fleet_sessions', OLD.operator_id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER operator_session_revoked
  AFTER UPDATE OF revoked_at ON operator_session
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION operator_session_announce_end();

CREATE TRIGGER operator_session_deleted
  AFTER DELETE ON operator_session
  FOR EACH ROW EXECUTE FUNCTION operator_session_announce_end();
