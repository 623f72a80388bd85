-- Live streams opened with an API token end when it is revoked, as those of
-- a session do at logout: every revocation (and a deleted or shortened
-- token) is announced on the sessions' channel `fleet_sessions`, and each
-- app instance rechecks the credentials of its open streams at once
-- (lib/stream/stream-sessions.ts).
CREATE FUNCTION api_token_announce_end() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fleet_sessions', 'api_token:' || OLD.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER api_token_revoked
  AFTER UPDATE OF revoked_at, expires_at ON api_token
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
                     OR NEW.expires_at IS DISTINCT FROM OLD.expires_at)
  EXECUTE FUNCTION api_token_announce_end();

CREATE TRIGGER api_token_deleted
  AFTER DELETE ON api_token
  FOR EACH ROW EXECUTE FUNCTION api_token_announce_end();
