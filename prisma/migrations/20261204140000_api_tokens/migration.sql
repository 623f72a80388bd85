-- API tokens: bearer tokens for scripts and scrapers, with a role and an
-- optional expiry. Like ingest tokens, only the SHA-256 of the token is kept.
CREATE TABLE "api_token" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,
    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_token_role_check" CHECK ("role" IN ('viewer', 'admin'))
);
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token" ("token_hash");

-- Who did what to credentials: one row per create and revoke, kept when the
-- thing itself changes, so "who let this token in" has an answer.
CREATE TABLE "audit_event" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_event_at_idx" ON "audit_event" ("at" DESC);
