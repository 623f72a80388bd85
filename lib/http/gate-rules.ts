// What the request gate (lib/http/request-gate.ts) decides from a request's
// method, path and headers alone, before any byte of its body is read. Pure:
// the gate does the I/O (a session or token lookup) this asks for.
import { accessFor, isStateChanging } from "../auth/access";
import { MAX_JSON_BODY_BYTES } from "../auth/parse-json";
import { ingestMaxBytes, labelsImportMaxBytes } from "../config";
import type { ErrorCode } from "../errors";

/** The methods the app serves; anything else (TRACE, CONNECT, WebDAV…) is a 405 at once. */
export const SERVED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const INGEST_PATH = "/api/ingest";
const LABELS_IMPORT_PATH = "/api/labels/import";

/** The largest body the route at `pathname` reads; a declared Content-Length past it is a 413. */
export function bodyLimitFor(pathname: string, env: NodeJS.ProcessEnv = process.env): number {
  if (pathname === INGEST_PATH) return ingestMaxBytes(env);
  if (pathname === LABELS_IMPORT_PATH) return labelsImportMaxBytes(env);
  return MAX_JSON_BODY_BYTES;
}

/**
 * The most any request body passes through proxy.ts: one byte more than the
 * largest body a proxied route accepts, so that a body Next.js cuts off at
 * this bound is still seen by the route as too large (413), never parsed
 * short. Ingest is not proxied (proxy.ts's matcher) and reads its own body
 * up to INGEST_MAX_BYTES, whatever that is. next.config.mjs repeats this
 * (it cannot import TypeScript); gate-rules.test.ts holds it to this.
 */
export function proxyBodyBound(env: NodeJS.ProcessEnv = process.env): number {
  return Math.max(labelsImportMaxBytes(env), MAX_JSON_BODY_BYTES) + 1;
}

export interface GateRequest {
  method: string;
  /** The path as sent (not decoded). */
  pathname: string;
  contentLength: string | undefined;
  transferEncoding: string | undefined;
  authorization: string | undefined;
  sessionCookie: string | undefined;
  /** Whether Origin is absent or this site (lib/http/forwarded.ts, sameOrigin). */
  sameOrigin: boolean;
}

export type GateDecision =
  | { kind: "pass" }
  | { kind: "refuse"; code: ErrorCode; message: string; headers?: Record<string, string> }
  /**
   * Look the credential up before Next.js reads the body, then refuse in
   * proxy.ts's order: 401 (not valid), 403 (not an admin; the CSRF token
   * or origin of a write), and only then 413 (`tooLarge`).
   */
  | {
      kind: "check";
      /** An API token (Authorization: Bearer) takes a session's place, as in proxy.ts. */
      credential: "ingest-token" | "api-token" | "session";
      adminOnly: boolean;
      /** A cookie-authenticated write: it needs the session's CSRF token and a same-site origin. */
      csrf: boolean;
      tooLarge: string | null;
    };

export function gateDecision(
  request: GateRequest,
  env: NodeJS.ProcessEnv = process.env,
): GateDecision {
  const method = request.method.toUpperCase();
  if (!(SERVED_METHODS as readonly string[]).includes(method)) {
    return refuse("method_not_allowed", `${method} is not served here.`, {
      Allow: SERVED_METHODS.join(", "),
    });
  }
  const declared = request.contentLength === undefined ? 0 : Number(request.contentLength);
  const hasBody = declared > 0 || request.transferEncoding !== undefined;
  // Bodiless requests cost nothing to let through: proxy.ts and the routes decide.
  if (!hasBody) return { kind: "pass" };
  // Who asks comes first: an anonymous caller learns nothing about the limits.
  const access = request.pathname === INGEST_PATH ? "ingest" : accessFor(request.pathname);
  if (access === "ingest" && !/^Bearer\s+\S/i.test(request.authorization?.trim() ?? "")) {
    return refuse(
      "unauthorized",
      "A valid bearer token is required (Authorization: Bearer <INGEST_TOKEN>).",
    );
  }
  const byToken =
    (access === "operator" || access === "admin") && request.authorization !== undefined;
  if ((access === "operator" || access === "admin") && !byToken && !request.sessionCookie)
    return refuse("unauthorized", "Log in first.");
  if (request.pathname === "/api/auth/login" && !request.sameOrigin)
    return refuse("csrf_failed", "Cross-site login attempt refused.");
  const limit = bodyLimitFor(request.pathname, env);
  const tooLarge =
    Number.isFinite(declared) && declared > limit
      ? `Body of ${declared} bytes exceeds the ${limit}-byte limit of ${request.pathname}.`
      : null;
  if (access === "public")
    return tooLarge === null ? { kind: "pass" } : refuse("payload_too_large", tooLarge);
  if (access === "ingest")
    return { kind: "check", credential: "ingest-token", adminOnly: false, csrf: false, tooLarge };
  return {
    kind: "check",
    credential: byToken ? "api-token" : "session",
    adminOnly: access === "admin",
    // A token travels in a header no other site can make a browser send: no CSRF to guard against.
    csrf: !byToken && isStateChanging(method),
    tooLarge,
  };
}

function refuse(code: ErrorCode, message: string, headers?: Record<string, string>): GateDecision {
  return { kind: "refuse", code, message, ...(headers ? { headers } : {}) };
}
