// The operator account behind an SSO identity: found by (issuer, subject),
// provisioned on first login, its role kept in step with the provider's groups.
import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "../db/client";
import type { SsoIdentity } from "./oidc-claims";
import { OidcLoginError } from "./oidc-errors";
import { hashPassword } from "./password";

export interface SsoOperator {
  id: bigint;
  username: string;
  role: string;
}

async function findLinked(identity: SsoIdentity) {
  return db().prisma.operator.findFirst({
    where: { ssoIssuer: identity.issuer, ssoSubject: identity.subject },
  });
}

async function usernameTaken(username: string): Promise<boolean> {
  const rows = await db().prisma.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM operator WHERE lower(username) = lower(${username})`;
  return rows.length > 0;
}

async function provision(identity: SsoIdentity, now: Date): Promise<SsoOperator> {
  // A local account with the same name is not linked automatically: whoever
  // controls that name at the provider would otherwise take it over.
  if (await usernameTaken(identity.username)) {
    throw new OidcLoginError(
      "account_conflict",
      `An operator named '${identity.username}' already exists and is not linked to this SSO identity.`,
    );
  }
  return db().prisma.operator.create({
    data: {
      username: identity.username,
      // Nobody knows this password: the account logs in through SSO only,
      // until an admin sets a password for it.
      passwordHash: await hashPassword(randomBytes(32).toString("base64url")),
      role: identity.role ?? "viewer",
      ssoIssuer: identity.issuer,
      ssoSubject: identity.subject,
      lastLoginAt: now,
    },
  });
}

/** The operator to open a session for; refuses disabled accounts. */
export async function signInSsoOperator(
  identity: SsoIdentity,
  now = new Date(),
): Promise<SsoOperator> {
  const linked = await findLinked(identity);
  if (linked === null) {
    try {
      return await provision(identity, now);
    } catch (error) {
      // The same person's first login in two tabs at once: the other one won.
      const winner = await findLinked(identity);
      if (winner === null) throw error;
      return signInSsoOperator(identity, now);
    }
  }
  if (linked.disabled) {
    throw new OidcLoginError("account_disabled", `The account '${linked.username}' is disabled.`);
  }
  return db().prisma.operator.update({
    where: { id: linked.id },
    data: {
      ...(identity.role !== null ? { role: identity.role } : {}),
      lastLoginAt: now,
    },
  });
}
