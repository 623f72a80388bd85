import { createHash, timingSafeEqual } from "node:crypto";

/**
 * How bearer secrets (session cookies, ingest tokens) are stored: their
 * SHA-256, so a leaked table does not leak usable secrets. They are random
 * and long, so a fast hash is enough (passwords use scrypt).
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Whether `presented` equals one of `tokens` (configured secrets such as
 * INGEST_TOKEN), in constant time: hashing both sides first gives
 * equal-length buffers, so the comparison leaks neither a token nor its
 * length, and every token is compared whatever matched.
 */
export function matchesAnyToken(presented: string, tokens: readonly string[]): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  const mine = digest(presented);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(mine, digest(token)) || ok;
  return ok;
}
