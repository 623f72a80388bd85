import { createHash, timingSafeEqual } from "node:crypto";
import { verifyStoredIngestToken } from "../auth/ingest-tokens";
import { ingestTokens } from "../config";
import { ServiceError } from "../errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `Authorization: Bearer <token>` against INGEST_TOKEN's list, then
 * against the tokens admins created (stored hashed). Hashing both sides first
 * gives equal-length buffers, so the comparison is constant-time and leaks
 * neither the token nor its length.
 */
export async function requireIngestToken(request: Request): Promise<void> {
  await verifyIngestAuthorization(request.headers.get("authorization"));
}

/** requireIngestToken on the Authorization header's value (the request gate has no Request). */
export async function verifyIngestAuthorization(authorization: string | null): Promise<void> {
  const header = authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match === null || match[1] === undefined) {
    throw new ServiceError(
      "unauthorized",
      "A valid bearer token is required (Authorization: Bearer <INGEST_TOKEN>).",
    );
  }
  const presented = digest(match[1]);
  let ok = false;
  for (const token of ingestTokens()) ok = timingSafeEqual(presented, digest(token)) || ok;
  if (!ok && !(await verifyStoredIngestToken(match[1]))) {
    throw new ServiceError("unauthorized", "The bearer token is not valid.");
  }
}
