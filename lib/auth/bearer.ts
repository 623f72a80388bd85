// The one place a request's API token becomes its principal (proxy.ts calls
// it for every guarded path; GET /metrics for its scrapers).
import "server-only";
import { ServiceError } from "../errors";
import { apiTokenPrincipal, isApiTokenShaped } from "./api-tokens";
import type { Principal } from "./schemas";

/** Query parameters a client might put a token in: refused, since URLs end up in logs and histories. */
const TOKEN_PARAMS = ["access_token", "api_token", "apiToken", "token", "bearer"];

/** The `Authorization: Bearer` credential, or null when the header is absent (undefined: not a bearer). */
export function bearerCredential(request: Request): string | null | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
  return match?.[1];
}

/**
 * null: no token presented (the session cookie decides). A Principal: a valid
 * API token. A ServiceError (returned, not thrown, so database failures stay
 * distinguishable): a token that is malformed, unknown, revoked or expired, or
 * one sent in the URL.
 */
export async function bearerPrincipal(request: Request): Promise<Principal | ServiceError | null> {
  const params = new URL(request.url).searchParams;
  for (const [name, value] of params) {
    if (TOKEN_PARAMS.includes(name) || isApiTokenShaped(value)) {
      return new ServiceError(
        "unauthorized",
        "Tokens are not accepted in the URL; send Authorization: Bearer <token>.",
      );
    }
  }
  const credential = bearerCredential(request);
  if (credential === null) return null;
  if (credential === undefined) {
    return new ServiceError("unauthorized", "The Authorization header must be Bearer <token>.");
  }
  try {
    return await apiTokenPrincipal(credential);
  } catch (error) {
    if (error instanceof ServiceError) return error;
    throw error;
  }
}
