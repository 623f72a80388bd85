// Single sign-on with OpenID Connect: authorization code flow with PKCE,
// state and nonce, all checked by openid-client. The provider's identity
// becomes an operator account (lib/auth/oidc-accounts.ts) with the same
// server-side session as a password login.
import "server-only";
import * as client from "openid-client";
import { ServiceError } from "../errors";
import { signInSsoOperator } from "./oidc-accounts";
import { identityFromClaims } from "./oidc-claims";
import { oidcConfig, type OidcConfig } from "./oidc-config";
import { OidcLoginError } from "./oidc-errors";
import {
  clearedFlowCookie,
  FLOW_COOKIE,
  FLOW_TTL_MS,
  flowCookie,
  type LoginFlow,
  openFlow,
  sealFlow,
} from "./oidc-flow";
import { forwardedEntry } from "../http/forwarded";
import { safeNextPath } from "../../contract/safe-next";
import {
  clearedSsoLogoutCookie,
  createSession,
  isHttps,
  readCookie,
  sessionCookies,
  SSO_LOGOUT_COOKIE,
  takeLogoutIdToken,
} from "./sessions";

export const CALLBACK_PATH = "/api/auth/oidc/callback";

export interface Providers {
  password: true;
  oidc: boolean;
  oidcLabel?: string;
}

/** GET /api/auth/providers: which ways to log in the login page offers. */
export function loginProviders(env: Record<string, string | undefined> = process.env): Providers {
  const config = oidcConfig(env);
  return config === null
    ? { password: true, oidc: false }
    : { password: true, oidc: true, oidcLabel: config.label };
}

function requireConfig(): OidcConfig {
  const config = oidcConfig();
  if (config === null) throw new ServiceError("not_found", "Single sign-on is not configured.");
  return config;
}

// Discovery once per process; a failed attempt is not kept, the next login retries.
const discovered = new Map<string, Promise<client.Configuration>>();

function providerConfiguration(config: OidcConfig): Promise<client.Configuration> {
  const key = `${config.issuer.href}\0${config.clientId}`;
  let pending = discovered.get(key);
  if (pending === undefined) {
    pending = client
      .discovery(config.issuer, config.clientId, config.clientSecret, undefined, {
        // Plain HTTP only for a provider on this machine (see oidc-config.ts).
        execute: config.allowInsecure ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((error: unknown) => {
        discovered.delete(key);
        throw new OidcLoginError(
          "provider_unreachable",
          `OpenID Connect discovery at ${config.issuer.href} failed.`,
          { cause: error },
        );
      });
    discovered.set(key, pending);
  }
  return pending;
}

/** The error, remembering where the login was headed (a copy: a failed discovery is shared). */
function withNext(error: unknown, next: string): unknown {
  if (!(error instanceof OidcLoginError)) return error;
  const copy = new OidcLoginError(error.code, error.message, { cause: error.cause });
  copy.next = next;
  return copy;
}

/**
 * This app's origin as the browser sees it: the Host header (or a proxy's
 * X-Forwarded-Host, as proxy.ts reads it), since Next rewrites the host in
 * request.url. A forged host only yields a redirect_uri the provider refuses;
 * set OIDC_REDIRECT_URL to pin it.
 */
function appOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = forwardedEntry(request, "x-forwarded-host") ?? request.headers.get("host");
  return `${isHttps(request) ? "https" : "http"}://${host ?? url.host}`;
}

function redirectUrl(config: OidcConfig, request: Request): URL {
  return config.redirectUrl ?? new URL(CALLBACK_PATH, appOrigin(request));
}

/** GET /api/auth/oidc/login: where to send the browser, and the cookie that remembers the flow. */
export async function startOidcLogin(
  request: Request,
): Promise<{ location: string; cookie: string }> {
  const config = requireConfig();
  const next = safeNextPath(new URL(request.url).searchParams.get("next"));
  const provider = await providerConfiguration(config).catch((error: unknown) => {
    throw withNext(error, next);
  });
  const codeVerifier = client.randomPKCECodeVerifier();
  const flow = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier,
    next,
    expiresAt: Date.now() + FLOW_TTL_MS,
  };
  const location = client.buildAuthorizationUrl(provider, {
    redirect_uri: redirectUrl(config, request).href,
    scope: config.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  return { location: location.href, cookie: flowCookie(sealFlow(flow, config), isHttps(request)) };
}

/** Why the token exchange failed, as one of the login page's codes. */
function exchangeError(error: unknown): OidcLoginError {
  if (error instanceof OidcLoginError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new OidcLoginError(
      error.error === "access_denied" ? "access_denied" : "provider_error",
      `The provider refused the login: ${error.error}.`,
      { cause: error },
    );
  }
  if (error instanceof client.ResponseBodyError) {
    return new OidcLoginError("sso_failed", `The token request failed: ${error.error}.`, {
      cause: error,
    });
  }
  // fetch() itself failed: connection refused, DNS, timeout.
  if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
    return new OidcLoginError("provider_unreachable", "The provider could not be reached.", {
      cause: error,
    });
  }
  return new OidcLoginError("sso_failed", "The provider's answer did not pass validation.", {
    cause: error,
  });
}

export interface FinishedLogin {
  next: string;
  cookies: string[];
}

/**
 * GET /api/auth/oidc/callback: checks the provider's answer against this
 * browser's flow cookie, then opens a session. Throws OidcLoginError (with
 * `next` set once the flow is known).
 */
export async function finishOidcLogin(request: Request): Promise<FinishedLogin> {
  const config = requireConfig();
  const secure = isHttps(request);
  const flow = openFlow(readCookie(request, FLOW_COOKIE), config);
  if (flow === null) {
    throw new OidcLoginError(
      "login_expired",
      "The SSO login expired or was started in another browser; try again.",
    );
  }
  try {
    return await exchange(request, config, flow, secure);
  } catch (error) {
    throw withNext(error, flow.next);
  }
}

async function exchange(
  request: Request,
  config: OidcConfig,
  flow: LoginFlow,
  secure: boolean,
): Promise<FinishedLogin> {
  const params = new URL(request.url).searchParams;
  const providerError = params.get("error");
  if (providerError !== null) {
    throw new OidcLoginError(
      providerError === "access_denied" ? "access_denied" : "provider_error",
      `The provider refused the login: ${providerError}.`,
    );
  }
  // openid-client checks state too; checking first gives the login page a precise reason.
  if (params.get("state") !== flow.state) {
    throw new OidcLoginError("state_mismatch", "The SSO answer does not belong to this login.");
  }
  const provider = await providerConfiguration(config);
  // The URL the provider redirected to, whatever proxy stands in front:
  // openid-client sends it back as redirect_uri, which must match exactly.
  const currentUrl = redirectUrl(config, request);
  currentUrl.search = params.toString();
  let claims: Record<string, unknown>;
  let idToken: string | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(provider, currentUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new OidcLoginError("sso_failed", "No ID token was issued.");
    idToken = tokens.id_token;
    // Many providers put profile, email and groups in userinfo only.
    const userinfo = provider.serverMetadata().userinfo_endpoint
      ? await client.fetchUserInfo(provider, tokens.access_token, idClaims.sub)
      : {};
    claims = { ...userinfo, ...idClaims };
  } catch (error) {
    throw exchangeError(error);
  }
  const operator = await signInSsoOperator(identityFromClaims(claims, config));
  // Kept server-side with the session, for the provider logout (endSsoSession).
  const session = await createSession(operator.id, new Date(), idToken);
  return {
    next: flow.next,
    cookies: [...sessionCookies(session, secure), clearedFlowCookie(secure)],
  };
}

export const LOGIN_PATH = "/login";

/**
 * GET /api/auth/oidc/logout, right after POST /api/auth/logout ended an SSO
 * session (the login page sends the browser here): RP-initiated logout. The
 * revoked session's ID token (read once from the database, then erased) goes
 * to the provider's end_session_endpoint as id_token_hint, with a
 * post_logout_redirect_uri back to the login page. When SSO is off, the
 * provider advertises no end_session_endpoint, or nothing is pending, the
 * browser just goes to the login page: the local logout already happened.
 */
export async function endSsoSession(
  request: Request,
): Promise<{ location: string; cookies: string[] }> {
  const cookies = [clearedSsoLogoutCookie(isHttps(request))];
  const config = oidcConfig();
  const idToken = await takeLogoutIdToken(readCookie(request, SSO_LOGOUT_COOKIE));
  if (config === null || idToken === null) return { location: LOGIN_PATH, cookies };
  const provider = await providerConfiguration(config);
  if (!provider.serverMetadata().end_session_endpoint) return { location: LOGIN_PATH, cookies };
  const postLogout = new URL(
    LOGIN_PATH,
    (config.redirectUrl ?? new URL(appOrigin(request))).origin,
  );
  const location = client.buildEndSessionUrl(provider, {
    id_token_hint: idToken,
    post_logout_redirect_uri: postLogout.href,
  });
  return { location: location.href, cookies };
}
