// The short-lived state of one SSO login between the redirect to the provider
// and its return: state, nonce, PKCE verifier and where to go afterwards. It
// rides in an encrypted cookie (AES-256-GCM), so no server-side store is
// needed and any app instance can finish the login.
import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { OidcConfig } from "./oidc-config";

export const FLOW_COOKIE = "fleet_oidc";
/** Scoped to the SSO routes: no other request carries it. */
const FLOW_COOKIE_PATH = "/api/auth/oidc";
/** Long enough to log in at the provider, short enough that a stale flow dies. */
export const FLOW_TTL_MS = 10 * 60 * 1000;

export interface LoginFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string;
  expiresAt: number;
}

// Without a client secret (a public client) there is no shared secret to
// derive the key from: a per-process key then, so a login must return to the
// same instance (sticky sessions) when several run.
const processKey = randomBytes(32);

function cookieKey(config: OidcConfig): Buffer {
  const secret = config.clientSecret === undefined ? processKey : Buffer.from(config.clientSecret);
  const info = `fleet-oidc-flow\0${config.issuer.href}\0${config.clientId}`;
  return Buffer.from(hkdfSync("sha256", secret, "fleet-presence", info, 32));
}

export function sealFlow(flow: LoginFlow, config: OidcConfig): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", cookieKey(config), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(flow), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The flow in a cookie, or null when it is missing, tampered with, foreign or expired. */
export function openFlow(
  sealed: string | undefined,
  config: OidcConfig,
  now = Date.now(),
): LoginFlow | null {
  if (!sealed || sealed.length > 4096) return null;
  try {
    const raw = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", cookieKey(config), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString();
    const flow = JSON.parse(text) as LoginFlow;
    return typeof flow.expiresAt === "number" && flow.expiresAt > now ? flow : null;
  } catch {
    return null;
  }
}

/**
 * SameSite=Lax, not Strict like the session cookie: the provider sends the
 * browser back with a top-level cross-site redirect, and a Strict cookie
 * would not come along.
 */
export function flowCookie(sealed: string, secure: boolean): string {
  return `${FLOW_COOKIE}=${sealed}; Path=${FLOW_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${FLOW_TTL_MS / 1000}${secure ? "; Secure" : ""}`;
}

export function clearedFlowCookie(secure: boolean): string {
  return `${FLOW_COOKIE}=; Path=${FLOW_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}
