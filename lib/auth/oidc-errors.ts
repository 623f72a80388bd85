// Why an SSO login failed. The browser lands on /login?error=<code>, so the
// login page can say what happened; nothing about the provider leaks.
export const OIDC_ERROR_CODES = [
  /** OIDC_* variables are wrong (the server log names the variable). */
  "sso_misconfigured",
  /** Discovery or the token request could not reach the provider. */
  "provider_unreachable",
  /** The provider answered with an error other than a refusal. */
  "provider_error",
  /** The user (or the provider's policy) refused the login or the consent. */
  "access_denied",
  /** The login's cookie is missing or expired: it took too long, or started in another browser. */
  "login_expired",
  /** The state returned by the provider is not the one this browser was sent with. */
  "state_mismatch",
  /** The provider's answer failed validation (code, PKCE, nonce, ID token). */
  "sso_failed",
  /** The ID token / userinfo lack a usable username. */
  "invalid_claims",
  /** The email's domain is not in OIDC_ALLOWED_DOMAINS (or the email is unverified). */
  "domain_not_allowed",
  /** A local account already has this username and is not linked to this SSO identity. */
  "account_conflict",
  /** The operator account is disabled. */
  "account_disabled",
  /** The database is unreachable. */
  "database_unavailable",
] as const;

export type OidcErrorCode = (typeof OIDC_ERROR_CODES)[number];

export class OidcLoginError extends Error {
  /** Where the login was headed, when known: the login page keeps it for a retry. */
  next: string | undefined;

  constructor(
    readonly code: OidcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OidcLoginError";
  }
}
