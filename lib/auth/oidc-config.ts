// Single sign-on settings from the environment. SSO is off unless
// OIDC_ISSUER is set; then every other OIDC_* variable is checked here, and a
// bad one fails with a message naming it (never its value: one is a secret).
import { z } from "zod";
import { describeIssues } from "../errors";

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  /** Absent: `<app origin>/api/auth/oidc/callback`, from the request. */
  redirectUrl: URL | undefined;
  scopes: string;
  usernameClaim: string;
  adminGroups: string[];
  allowedDomains: string[];
  /** Text for the login page's button: "Sign in with <label>". */
  label: string;
  /**
   * openid-client refuses plain-HTTP providers. Allowed only for a provider
   * on this machine (127.0.0.1, ::1, localhost): local development and tests.
   */
  allowInsecure: boolean;
}

export class OidcConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OidcConfigError";
  }
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

const optional = (s: string | undefined) =>
  s === undefined || s.trim() === "" ? undefined : s.trim();

const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x !== ""),
  );

function httpUrl(name: string) {
  return z.string().transform((s, ctx) => {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be an absolute URL` });
      return z.NEVER;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      ctx.addIssue({ code: "custom", message: `${name} must be an http(s) URL` });
      return z.NEVER;
    }
    return url;
  });
}

const OidcEnv = z.object({
  OIDC_ISSUER: httpUrl("OIDC_ISSUER").refine(
    (u) => u.protocol === "https:" || LOOPBACK.has(u.hostname),
    "OIDC_ISSUER must use https (plain http only for a provider on 127.0.0.1/localhost)",
  ),
  OIDC_CLIENT_ID: z
    .string({ error: "OIDC_CLIENT_ID is required when OIDC_ISSUER is set" })
    .min(1, "OIDC_CLIENT_ID is required when OIDC_ISSUER is set"),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_REDIRECT_URL: httpUrl("OIDC_REDIRECT_URL")
    .refine(
      (u) => u.pathname === "/api/auth/oidc/callback",
      "OIDC_REDIRECT_URL must end in /api/auth/oidc/callback",
    )
    .optional(),
  OIDC_SCOPES: z
    .string()
    .default("openid profile email")
    .refine((s) => s.split(/\s+/).includes("openid"), "OIDC_SCOPES must include openid"),
  OIDC_USERNAME_CLAIM: z
    .string()
    .regex(/^[\w.:-]{1,100}$/, "OIDC_USERNAME_CLAIM must be a claim name")
    .default("preferred_username"),
  OIDC_ADMIN_GROUPS: list,
  OIDC_ALLOWED_DOMAINS: list.refine(
    (domains) => domains.every((d) => /^[a-z0-9.-]+\.[a-z0-9-]+$/i.test(d)),
    "OIDC_ALLOWED_DOMAINS must be a comma-separated list of domains like example.com",
  ),
  OIDC_LABEL: z.string().max(40, "OIDC_LABEL must be at most 40 characters").default("SSO"),
});

/** The SSO settings, or null when SSO is off. Throws OidcConfigError on a bad variable. */
export function oidcConfig(
  env: Record<string, string | undefined> = process.env,
): OidcConfig | null {
  if (optional(env.OIDC_ISSUER) === undefined) return null;
  const parsed = OidcEnv.safeParse({
    OIDC_ISSUER: optional(env.OIDC_ISSUER),
    OIDC_CLIENT_ID: optional(env.OIDC_CLIENT_ID),
    OIDC_CLIENT_SECRET: optional(env.OIDC_CLIENT_SECRET),
    OIDC_REDIRECT_URL: optional(env.OIDC_REDIRECT_URL),
    OIDC_SCOPES: optional(env.OIDC_SCOPES),
    OIDC_USERNAME_CLAIM: optional(env.OIDC_USERNAME_CLAIM),
    OIDC_ADMIN_GROUPS: optional(env.OIDC_ADMIN_GROUPS),
    OIDC_ALLOWED_DOMAINS: optional(env.OIDC_ALLOWED_DOMAINS),
    OIDC_LABEL: optional(env.OIDC_LABEL),
  });
  if (!parsed.success) {
    throw new OidcConfigError(`Invalid single sign-on settings: ${describeIssues(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    redirectUrl: e.OIDC_REDIRECT_URL,
    scopes: e.OIDC_SCOPES.split(/\s+/).join(" "),
    usernameClaim: e.OIDC_USERNAME_CLAIM,
    adminGroups: e.OIDC_ADMIN_GROUPS,
    allowedDomains: e.OIDC_ALLOWED_DOMAINS.map((d) => d.toLowerCase()),
    label: e.OIDC_LABEL,
    allowInsecure: e.OIDC_ISSUER.protocol === "http:",
  };
}
