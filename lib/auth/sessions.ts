// Server-side sessions behind an HttpOnly cookie. The cookie carries a
// random token; the database keeps its SHA-256, the expiry and revocation.
import "server-only";
import { randomBytes } from "node:crypto";
import { forwardedEntry } from "../http/forwarded";
import { hashToken } from "./token-hash";
import { db } from "../db/client";
import type { Principal, Role } from "./schemas";

export const SESSION_COOKIE = "fleet_session";
/** Readable by the page's script (double-submit): it sends it back as X-CSRF-Token. */
export const CSRF_COOKIE = "fleet_csrf";
export const CSRF_HEADER = "x-csrf-token";

export function sessionTtlMs(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.SESSION_TTL_HOURS ?? 12) * 60 * 60 * 1000;
}

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Opens a session. `idToken`: the ID token of an SSO login, kept with the
 * session on the server only (RP-initiated logout sends it as id_token_hint).
 */
export async function createSession(
  operatorId: bigint,
  now = new Date(),
  idToken?: string,
): Promise<NewSession> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + sessionTtlMs());
  // Raw SQL: id_token (migration 20261126150000) is read and written here only.
  await db().pool.query(
    `INSERT INTO operator_session (token_hash, operator_id, csrf_token, expires_at, id_token)
     VALUES ($1, $2, $3, $4, $5)`,
    [hashToken(token), operatorId.toString(), csrfToken, expiresAt, idToken ?? null],
  );
  return { token, csrfToken, expiresAt };
}

/** The operator behind a session cookie, or null when missing, expired, revoked or disabled. */
export async function sessionPrincipal(
  token: string | undefined,
  now = new Date(),
): Promise<Principal | null> {
  if (!token || token.length > 200) return null;
  const session = await db().prisma.operatorSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { operator: { select: { id: true, username: true, role: true, disabled: true } } },
  });
  if (
    session === null ||
    session.revokedAt !== null ||
    session.expiresAt <= now ||
    session.operator.disabled
  ) {
    return null;
  }
  return {
    operatorId: session.operator.id.toString(),
    username: session.operator.username,
    role: session.operator.role as Role,
    csrfToken: session.csrfToken,
  };
}

/** Where the database announces ended sessions (migration 20261203100000): the operator's ID. */
export const SESSIONS_CHANNEL = "fleet_sessions";

export interface LiveSession {
  tokenHash: string;
  expiresAt: Date;
}

/** The session behind a cookie while it is valid (what a live stream keeps checking), else null. */
export async function liveSession(
  token: string | undefined,
  now = new Date(),
): Promise<LiveSession | null> {
  if (!token || token.length > 200) return null;
  const { rows } = await db().pool.query<{ expires_at: Date }>(
    `SELECT s.expires_at FROM operator_session s JOIN operator o ON o.id = s.operator_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT o.disabled`,
    [hashToken(token), now],
  );
  const row = rows[0];
  return row === undefined ? null : { tokenHash: hashToken(token), expiresAt: row.expires_at };
}

/** Of these session hashes, the ones still valid: not revoked, not expired, operator enabled. */
export async function stillValidSessions(tokenHashes: string[]): Promise<Set<string>> {
  if (tokenHashes.length === 0) return new Set();
  const { rows } = await db().pool.query<{ token_hash: string }>(
    `SELECT s.token_hash FROM operator_session s JOIN operator o ON o.id = s.operator_id
      WHERE s.token_hash = ANY($1::text[]) AND s.revoked_at IS NULL AND s.expires_at > now()
        AND NOT o.disabled`,
    [tokenHashes],
  );
  return new Set(rows.map((r) => r.token_hash));
}

/**
 * Revokes the session behind a cookie. True when it was an SSO session whose
 * provider session can still be ended (it kept an ID token).
 */
export async function revokeSession(token: string | undefined): Promise<{ sso: boolean }> {
  if (!token || token.length > 200) return { sso: false };
  const { rows } = await db().pool.query<{ sso: boolean }>(
    `UPDATE operator_session SET revoked_at = now()
      WHERE token_hash = $1 AND revoked_at IS NULL
      RETURNING id_token IS NOT NULL AS sso`,
    [hashToken(token)],
  );
  return { sso: rows[0]?.sso ?? false };
}

/** How long after logout the provider's session can still be ended with the stored ID token. */
export const SSO_LOGOUT_WINDOW_MS = 5 * 60 * 1000;

/**
 * The ID token of a session revoked by logout within SSO_LOGOUT_WINDOW_MS,
 * erased as it is read: it serves one RP-initiated logout, then is gone.
 */
export async function takeLogoutIdToken(token: string | undefined): Promise<string | null> {
  if (!token || token.length > 200) return null;
  const { rows } = await db().pool.query<{ id_token: string }>(
    `UPDATE operator_session s SET id_token = NULL
       FROM (SELECT token_hash, id_token FROM operator_session
              WHERE token_hash = $1 AND id_token IS NOT NULL AND revoked_at IS NOT NULL
                AND revoked_at > now() - make_interval(secs => $2)
              FOR UPDATE) old
      WHERE s.token_hash = old.token_hash
      RETURNING old.id_token`,
    [hashToken(token), SSO_LOGOUT_WINDOW_MS / 1000],
  );
  return rows[0]?.id_token ?? null;
}

/**
 * Whether the browser reached us over TLS, as a trusted proxy says (the app
 * itself serves plain HTTP). Not request.url's protocol: Next.js derives it
 * from X-Forwarded-Proto whoever sent it.
 */
export function isHttps(request: Request): boolean {
  return forwardedEntry(request, "x-forwarded-proto") === "https";
}

export function sessionCookies(session: NewSession, secure: boolean): string[] {
  const common = `Path=/; SameSite=Strict; Expires=${session.expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
  return [
    `${SESSION_COOKIE}=${session.token}; HttpOnly; ${common}`,
    `${CSRF_COOKIE}=${session.csrfToken}; ${common}`,
  ];
}

export function clearedCookies(secure: boolean): string[] {
  const common = `Path=/; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${common}`, `${CSRF_COOKIE}=; ${common}`];
}

/**
 * After an SSO logout: the old (revoked) session token, so that the next
 * page can end the provider's session too (lib/auth/oidc.ts, endSsoSession).
 * HttpOnly, and only a handle: the ID token itself stays in the database.
 */
export const SSO_LOGOUT_COOKIE = "fleet_sso_logout";

export function ssoLogoutCookie(token: string, secure: boolean): string {
  return `${SSO_LOGOUT_COOKIE}=${token}; HttpOnly; Path=/; SameSite=Strict; Max-Age=${SSO_LOGOUT_WINDOW_MS / 1000}${secure ? "; Secure" : ""}`;
}

export function clearedSsoLogoutCookie(secure: boolean): string {
  return `${SSO_LOGOUT_COOKIE}=; HttpOnly; Path=/; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}
