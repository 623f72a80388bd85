// Who may reach which path: one table, used by proxy.ts for every request.

export type Access = "public" | "operator" | "admin";

/** Request header through which the proxy hands the verified operator to handlers. */
export const PRINCIPAL_HEADER = "x-fleet-principal";

const PUBLIC_PATHS = new Set([
  "/login",
  "/api/auth/login",
  "/api/health",
  "/api/ingest",
  // The API description: the same as the open-source code, and no data.
  "/api/openapi.json",
  // The other sources' ingest routes check the ingest token themselves; their
  // vendors' handshakes (AWS destination confirmation, Event Grid validation)
  // come without one (lib/sources).
  "/api/ingest/aws-rule",
  "/api/ingest/azure",
  "/api/ingest/emqx",
  // Prometheus scrapes with a bearer token, which the route checks (lib/metrics/scrape.ts).
  "/metrics",
  // Single sign-on: the login page asks which providers exist, and the SSO
  // flow runs before there is a session (lib/auth/oidc.ts).
  "/api/auth/providers",
  "/api/auth/oidc/login",
  "/api/auth/oidc/callback",
  // Provider logout runs after the session is gone (POST /api/auth/logout).
  "/api/auth/oidc/logout",
]);

export function accessFor(pathname: string): Access {
  if (PUBLIC_PATHS.has(pathname)) return "public";
  if (pathname === "/admin" || pathname.startsWith("/admin/") || pathname.startsWith("/api/admin/"))
    return "admin";
  // Importing labels is an admin's job; the API route checks the role itself too.
  if (pathname === "/inventory") return "admin";
  return "operator";
}

export function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/** Requests that change state; they need a CSRF token when authenticated by cookie. */
export function isStateChanging(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

/** A strict policy the pages work under: scripts only with this request's nonce. */
export function contentSecurityPolicy(
  nonce: string,
  options: { dev: boolean; https: boolean },
): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // React style props are inline style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(options.https
      ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" }
      : {}),
  };
}
