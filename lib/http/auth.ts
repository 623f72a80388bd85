import { createHash, timingSafeEqual } from "node:crypto";
import { ingestTokens } from "../config";
import { ServiceError } from "../errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against INGEST_TOKEN's list. Hashing
 * both sides first gives equal-length buffers, so the comparison is
 * constant-time and leaks neither the token nor its length.
 */
export function requireIngestToken(request: Request): void {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const tokens = ingestTokens();
  if (match === null || match[1] === undefined || tokens.length === 0) {
    throw new ServiceError("unauthorized", "A valid bearer token is required (Authorization: Bearer <INGEST_TOKEN>).");
  }
  const presented = digest(match[1]);
  let ok = false;
  for (const token of tokens) ok = timingSafeEqual(presented, digest(token)) || ok;
  if (!ok) throw new ServiceError("unauthorized", "The bearer token is not valid.");
}
