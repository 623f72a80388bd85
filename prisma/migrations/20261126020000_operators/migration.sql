-- Operator accounts, their sessions, and ingest tokens managed by admins.

CREATE TABLE "operator" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL CHECK ("role" IN ('viewer', 'admin')),
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    -- Lockout after repeated failed logins (lib/auth/operators.ts).
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "last_login_at" TIMESTAMPTZ(3),
    CONSTRAINT "operator_pkey" PRIMARY KEY ("id")
);
-- Usernames are case-insensitive: "Admin" and "admin" are one account.
CREATE UNIQUE INDEX "operator_username_key" ON "operator" (lower("username"));

-- Server-side sessions: the cookie holds a random token, the table its SHA-256,
-- so a leaked table does not leak usable cookies. Revocation is a column.
CREATE TABLE "operator_session" (
    "token_hash" TEXT NOT NULL,
    "operator_id" BIGINT NOT NULL REFERENCES "operator" ("id") ON DELETE CASCADE,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "operator_session_pkey" PRIMARY KEY ("token_hash")
);
CREATE INDEX "operator_session_operator_id_idx" ON "operator_session" ("operator_id");

-- Ingest tokens created by admins (INGEST_TOKEN from the environment works beside them).
CREATE TABLE "ingest_token" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "ingest_token_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ingest_token_token_hash_key" ON "ingest_token" ("token_hash");
