-- Failed logins for user names that have no account. An unknown name must
-- behave exactly like a real one (locked after the same number of failures,
-- with the same answer), or the lockout tells anyone which names exist.
-- Real accounts keep their count on the operator row.
CREATE TABLE "login_throttle" (
  "username_key" TEXT NOT NULL,
  "failed_logins" INTEGER NOT NULL DEFAULT 0,
  "locked_until" TIMESTAMPTZ(3),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "login_throttle_pkey" PRIMARY KEY ("username_key")
);
CREATE INDEX "login_throttle_updated_at_idx" ON "login_throttle" ("updated_at");
