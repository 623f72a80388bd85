// Runs before every request: security headers, the CSP nonce, and access
// control (login for pages and read APIs, admin for /admin, CSRF for
// cookie-authenticated writes). Ingest and health stay token/public.
import { NextResponse, type NextRequest } from "next/server";
import {
  accessFor,
  contentSecurityPolicy,
  isApiPath,
  isStateChanging,
  PRINCIPAL_HEADER,
  securityHeaders,
} from "./lib/auth/access";
import { bearerPrincipal } from "./lib/auth/bearer";
import { CSRF_HEADER, isHttps, SESSION_COOKIE, sessionPrincipal } from "./lib/auth/sessions";
import type { Principal } from "./lib/auth/schemas";
import { ServiceError } from "./lib/errors";
import { errorResponse } from "./lib/http/handle-error";
import { sameOrigin } from "./lib/http/forwarded";
import { isWellFormedPath, RAW_PATH_HEADER } from "./lib/http/raw-path";

/** While the session cannot be checked, pages get a styled notice that retries by itself. */
function unavailablePage(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5"><title>Fleet presence · database unreachable</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#0f172a">
<h1 style="font-size:1.25rem">The database is unreachable</h1>
<p>Fleet presence cannot check your session right now. This page retries every 5 seconds;
no data is lost: ingest is refused with 503 and senders retry.</p></body></html>`;
  return new NextResponse(html, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Retry-After": "5",
      "Cache-Control": "no-store",
    },
  });
}

async function authorize(request: NextRequest): Promise<Response | Principal | null> {
  const { pathname } = request.nextUrl;
  const access = accessFor(pathname);
  const api = isApiPath(pathname);
  if (access === "public") {
    if (pathname === "/api/auth/login" && !sameOrigin(request)) {
      return errorResponse("csrf_failed", "Cross-site login attempt refused.");
    }
    return null;
  }
  let principal: Principal | null;
  try {
    // An API token (Authorization: Bearer) takes the place of a session; a
    // bad one is refused outright rather than falling back to the cookie.
    const byToken = await bearerPrincipal(request);
    if (byToken instanceof ServiceError) return errorResponse(byToken.code, byToken.message);
    principal = byToken ?? (await sessionPrincipal(request.cookies.get(SESSION_COOKIE)?.value));
  } catch {
    return api
      ? errorResponse("database_unavailable", "The database is unreachable; retry later.", {
          "Retry-After": "5",
        })
      : unavailablePage();
  }
  if (principal === null) {
    if (api) return errorResponse("unauthorized", "Log in first.");
    const login = new URL("/login", request.url);
    login.searchParams.set("next", `${pathname}${request.nextUrl.search}`);
    return NextResponse.redirect(login);
  }
  if (access === "admin" && principal.role !== "admin") {
    if (api) return errorResponse("forbidden", "Only admins may do this.");
    return NextResponse.redirect(new URL("/", request.url));
  }
  // A token travels in a header no other site can make a browser send: no CSRF to guard against.
  if (isStateChanging(request.method) && principal.apiTokenId === undefined) {
    if (!sameOrigin(request) || request.headers.get(CSRF_HEADER) !== principal.csrfToken) {
      return errorResponse(
        "csrf_failed",
        "Missing or wrong CSRF token (X-CSRF-Token); reload the page.",
      );
    }
  }
  return principal;
}

export async function proxy(request: NextRequest): Promise<Response> {
  const https = isHttps(request);
  const rawPath = request.nextUrl.pathname;
  const decision = isWellFormedPath(rawPath)
    ? await authorize(request)
    : errorResponse("invalid_path", "The URL path has a malformed %-escape.");
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https });
  let response: Response;
  if (decision instanceof Response) {
    response = decision;
  } else {
    const headers = new Headers(request.headers);
    // Never trust a principal the client sent: only this proxy sets it.
    headers.delete(PRINCIPAL_HEADER);
    if (decision !== null)
      headers.set(PRINCIPAL_HEADER, encodeURIComponent(JSON.stringify(decision)));
    headers.set("x-nonce", nonce);
    headers.set(RAW_PATH_HEADER, rawPath);
    headers.set("Content-Security-Policy", csp);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("Content-Security-Policy", csp);
  for (const [name, value] of Object.entries(securityHeaders({ https })))
    response.headers.set(name, value);
  return response;
}

export const config = {
  // Skips only the build's static files, the image optimiser and the favicon
  // themselves (dots escaped, names anchored): /favicon.ico.x or /_next/staticX
  // get the security headers and access control like any other path. Ingest
  // is skipped too: it is token-only (the request gate and the route check
  // the token), and Next.js would otherwise copy each batch for the proxy,
  // cut off at the proxy's body bound (lib/http/gate-rules.ts).
  matcher: ["/((?!_next/static/|_next/image$|favicon\\.ico$|api/ingest$).*)"],
};
