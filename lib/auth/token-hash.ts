import { createHash } from "node:crypto";

/**
 * How bearer secrets (session cookies, ingest tokens) are stored: their
 * SHA-256, so a leaked table does not leak usable secrets. They are random
 * and long, so a fast hash is enough (passwords use scrypt).
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
