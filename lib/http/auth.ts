import { verifyStoredIngestToken } from "../auth/ingest-tokens";
import { matchesAnyToken } from "../auth/token-hash";
import { ingestTokens } from "../config";
import { ServiceError } from "../errors";

/**
 * Checks `Authorization: Bearer <token>` against INGEST_TOKEN's list, then
 * against the tokens admins created (stored hashed); the first comparison is
 * constant-time (matchesAnyToken).
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
  const ok = matchesAnyToken(match[1], ingestTokens());
  if (!ok && !(await verifyStoredIngestToken(match[1]))) {
    throw new ServiceError("unauthorized", "The bearer token is not valid.");
  }
}
