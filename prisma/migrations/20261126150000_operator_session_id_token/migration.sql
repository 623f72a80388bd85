-- Single sign-on logout (RP-initiated logout): the ID token a provider issued
-- at login, kept with the session on the server (never in a cookie), so that
-- logging out can send it as id_token_hint to the provider's
-- end_session_endpoint. Read once at logout, then erased.
ALTER TABLE "operator_session" ADD COLUMN "id_token" TEXT;
