// From a provider's verified claims to the operator they stand for: pure,
// so the mapping rules are tested without a provider.
import { describeIssues } from "../errors";
import type { OidcConfig } from "./oidc-config";
import { OidcLoginError } from "./oidc-errors";
import { Username } from "./schemas";
import type { Role } from "./schemas";

export interface SsoIdentity {
  issuer: string;
  subject: string;
  username: string;
  /**
   * The role the provider's groups grant, or null when OIDC_ADMIN_GROUPS is
   * unset: then groups do not manage roles and an admin's choice stands.
   */
  role: Role | null;
}

type Claims = Record<string, unknown>;

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

/** `groups` as most providers send it: an array, sometimes one string. */
function groupsOf(claims: Claims): string[] {
  const g = claims.groups;
  if (Array.isArray(g)) return g.filter((x): x is string => typeof x === "string");
  if (typeof g === "string") return g.split(/[,\s]+/).filter(Boolean);
  return [];
}

function checkDomain(claims: Claims, allowed: string[]): void {
  if (allowed.length === 0) return;
  const email = str(claims.email)?.toLowerCase();
  const domain = email?.includes("@") ? email.slice(email.lastIndexOf("@") + 1) : undefined;
  // An unverified address proves nothing about who owns it.
  if (domain === undefined || claims.email_verified === false || !allowed.includes(domain)) {
    throw new OidcLoginError(
      "domain_not_allowed",
      `SSO login refused: the email domain is not one of ${allowed.join(", ")}.`,
    );
  }
}

export function identityFromClaims(claims: Claims, config: OidcConfig): SsoIdentity {
  const subject = str(claims.sub);
  if (subject === undefined) throw new OidcLoginError("invalid_claims", "The ID token has no sub.");
  checkDomain(claims, config.allowedDomains);
  const candidate = str(claims[config.usernameClaim]) ?? str(claims.email) ?? subject;
  const username = Username.safeParse(candidate);
  if (!username.success) {
    throw new OidcLoginError(
      "invalid_claims",
      `The provider's username is not usable here: ${describeIssues(username.error)}.`,
    );
  }
  let role: Role | null = null;
  if (config.adminGroups.length > 0) {
    const groups = groupsOf(claims);
    role = config.adminGroups.some((g) => groups.includes(g)) ? "admin" : "viewer";
  }
  // openid-client has checked `iss` against the discovered issuer.
  const issuer = str(claims.iss) ?? config.issuer.href;
  return { issuer, subject, username: username.data, role };
}
