// How the SSO routes answer a browser: failures land on the login page with a
// code (never a 500 page), success on a tiny page that moves on to `next`.
import { isDatabaseUnavailable, ServiceError } from "../errors";
import { errorResponse, handleApiError } from "../http/handle-error";
import { OidcConfigError } from "./oidc-config";
import { OidcLoginError, type OidcErrorCode } from "./oidc-errors";
import { clearedFlowCookie } from "./oidc-flow";
import { isHttps } from "./sessions";

const NO_STORE = "no-store";

/** What each failure means, for the JSON body of the redirect (a script or API client reads it). */
const MESSAGES: Record<OidcErrorCode, string> = {
  sso_misconfigured: "Single sign-on is misconfigured; the server log names the OIDC_* variable.",
  provider_unreachable: "The single sign-on provider could not be reached.",
  provider_error: "The single sign-on provider answered with an error.",
  access_denied: "The login or the consent was refused at the provider.",
  login_expired: "The SSO login expired or was started in another browser; try again.",
  state_mismatch: "The provider's answer does not belong to this login (state mismatch).",
  sso_failed: "The provider's answer did not pass validation.",
  invalid_claims: "The provider sent no usable username.",
  domain_not_allowed: "The email address is not verified or its domain is not allowed.",
  account_conflict:
    "A local operator with this username exists and is not linked to this identity.",
  account_disabled: "The operator account is disabled.",
  database_unavailable: "The database is unreachable; retry later.",
};

function loginPageUrl(code: OidcErrorCode, next: string | undefined): string {
  const query = new URLSearchParams({ error: code });
  if (next !== undefined && next !== "/") query.set("next", next);
  return `/login?${query.toString()}`;
}

/**
 * The response for an error in an SSO route. "SSO is off" stays the JSON
 * 404 of the error contract; everything else redirects to /login?error=…
 * (a browser navigation), with the error contract's JSON body beside it.
 */
export function oidcErrorResponse(request: Request, error: unknown): Response {
  if (error instanceof ServiceError) return handleApiError(error);
  let code: OidcErrorCode;
  let next: string | undefined;
  if (error instanceof OidcLoginError) {
    ({ code, next } = error);
    // Expected refusals are the user's business; provider trouble is the operator's.
    if (
      !["access_denied", "domain_not_allowed", "account_disabled", "login_expired"].includes(code)
    )
      console.warn(`SSO login failed (${code}): ${error.message}`, error.cause ?? "");
  } else if (error instanceof OidcConfigError) {
    code = "sso_misconfigured";
    console.error(error.message);
  } else if (isDatabaseUnavailable(error)) {
    code = "database_unavailable";
  } else {
    code = "sso_failed";
    console.error("SSO login failed", error);
  }
  const headers = new Headers({
    Location: loginPageUrl(code, next),
    "Cache-Control": NO_STORE,
    "Content-Type": "application/json",
  });
  headers.append("Set-Cookie", clearedFlowCookie(isHttps(request)));
  return new Response(JSON.stringify({ error: { code, message: MESSAGES[code] } }), {
    status: 303,
    headers,
  });
}

/** GET /api/auth/providers with broken OIDC_* settings: say which variable. */
export function providersErrorResponse(error: unknown): Response {
  if (error instanceof OidcConfigError) {
    console.error(error.message);
    return errorResponse("sso_misconfigured", error.message);
  }
  return handleApiError(error);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * After a successful SSO login: a 200 page that refreshes to `next`, not a
 * 302. The session cookie is SameSite=Strict, and a redirect chain that
 * began at the provider (another site) is cross-site as a whole, so a
 * browser would not send the new cookie on a redirect straight to `next`.
 * A refresh from this page is a navigation started on our own site.
 */
export function landingResponse(next: string, cookies: string[]): Response {
  const target = escapeHtml(next);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>Signed in</title></head><body><p>Signed in. <a href="${target}">Continue</a></p></body></html>`;
  const headers = new Headers({
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": NO_STORE,
    Refresh: `0;url=${next}`,
  });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(html, { status: 200, headers });
}
