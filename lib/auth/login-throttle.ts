// Failed logins for user names that have no account, counted exactly as a
// real account counts them (lib/auth/operators.ts verifyLogin): the same
// number of failures locks the name for the same time with the same answer,
// so the lockout does not tell which names exist.
import "server-only";
import { db } from "../db/client";

/** lower(): names are unique case-insensitively, as accounts are. */
const keyOf = (username: string) => username.toLowerCase();

/** Until when `username` (no account) is locked, if it is. */
export async function unknownNameLockedUntil(username: string, now: Date): Promise<Date | null> {
  const { rows } = await db().pool.query<{ locked_until: Date }>(
    "SELECT locked_until FROM login_throttle WHERE username_key = $1 AND locked_until > $2",
    [keyOf(username), now],
  );
  return rows[0]?.locked_until ?? null;
}

/**
 * Counts a failed login for a name without an account: at `max` failures the
 * name locks for `lockMs` and the count starts again, as an account's does.
 * Rows of names nobody tried for a day go, so a spray of random names cannot
 * grow the table without bound.
 */
export async function recordUnknownNameFailure(
  username: string,
  now: Date,
  max: number,
  lockMs: number,
): Promise<void> {
  await db().pool.query(
    `INSERT INTO login_throttle AS t (username_key, failed_logins, updated_at)
     VALUES ($1, 1, $2)
     ON CONFLICT (username_key) DO UPDATE SET
       failed_logins = CASE WHEN t.failed_logins + 1 >= $3 THEN 0 ELSE t.failed_logins + 1 END,
       locked_until = CASE WHEN t.failed_logins + 1 >= $3 THEN $2 + make_interval(secs => $4)
                           ELSE t.locked_until END,
       updated_at = $2`,
    [keyOf(username), now, max, lockMs / 1000],
  );
  if (Math.random() < 0.01) {
    await db().pool.query(
      "DELETE FROM login_throttle WHERE updated_at < $1::timestamptz - interval '1 day'",
      [now],
    );
  }
}
