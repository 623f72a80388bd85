// Which credential a GET /api/stream request opens its stream under.
import "server-only";
import { liveApiToken } from "../auth/api-tokens";
import { principalFromHeaders } from "../auth/principal";
import { liveSession, readCookie, SESSION_COOKIE } from "../auth/sessions";
import { ServiceError } from "../errors";
import type { LiveCredential } from "./open-stream";

/**
 * The API token the proxy verified (Authorization: Bearer; one sent in the
 * URL never gets this far), else the session cookie, as the proxy chose.
 * Checked again here with its expiry: the stream outlives the request, and
 * ends when either is revoked or expires (lib/stream/stream-sessions.ts).
 */
export async function streamCredential(request: Request): Promise<LiveCredential> {
  const tokenId = principalFromHeaders(request.headers)?.apiTokenId;
  if (tokenId !== undefined) {
    const token = await liveApiToken(tokenId);
    if (token === null) throw new ServiceError("unauthorized", "The API token is no longer valid.");
    return { kind: "apiToken", id: tokenId, expiresAt: token.expiresAt };
  }
  const session = await liveSession(readCookie(request, SESSION_COOKIE));
  if (session === null) throw new ServiceError("unauthorized", "Log in first.");
  return { kind: "session", id: session.tokenHash, expiresAt: session.expiresAt };
}
