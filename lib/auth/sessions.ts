// Server-side sessions behind an HttpOnly cookie. The cookie carries a
// random token; the database keeps its SHA-256, the expiry and revocation.
import { randomBytes } from "node:crypto";
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

export async function createSession(operatorId: bigint, now = new Date()): Promise<NewSession> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + sessionTtlMs());
  await db().prisma.operatorSession.create({
    data: { tokenHash: hashToken(token), operatorId, csrfToken, expiresAt },
  });
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

export async function revokeSession(token: string | undefined): Promise<void> {
  if (!token) return;
  await db().prisma.operatorSession.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/** Secure cookies whenever the browser reached us over TLS (directly or via a proxy). */
export function isHttps(request: Request): boolean {
  return (
    new URL(request.url).protocol === "https:" ||
    request.headers.get("x-forwarded-proto") === "https"
  );
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

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}
