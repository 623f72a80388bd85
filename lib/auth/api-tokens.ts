// API tokens: bearer credentials for scripts, scrapers and other machines,
// with a role (viewer reads, admin also writes) and an optional expiry.
// Stored hashed, shown once, revocable, last use recorded; every create and
// revoke is audited with who did it.
import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import { recordAudit } from "./audit";
import type { ApiTokenView, CreateApiTokenBody, Principal, Role } from "./schemas";
import { hashToken } from "./token-hash";

export const API_TOKEN_PREFIX = "fpa_";
/** The prefix and 32 random bytes in base64url: anything else cannot be one of ours. */
const API_TOKEN_SHAPE = /^fpa_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most this often per token: every API call passes here. */
const LAST_USED_RESOLUTION_MS = 60_000;
const lastWritten = new Map<string, number>();

interface Row {
  id: bigint;
  name: string;
  role: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

function toView(t: Row, now = new Date()): ApiTokenView {
  return {
    id: t.id.toString(),
    name: t.name,
    role: t.role as Role,
    prefix: t.prefix,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    revokedBy: t.revokedBy,
    state:
      t.revokedAt !== null
        ? "revoked"
        : t.expiresAt !== null && t.expiresAt <= now
          ? "expired"
          : "active",
  };
}

/** Returns the plaintext token once, beside the stored view; only its hash is kept. */
export async function createApiToken(
  body: CreateApiTokenBody,
  createdBy: string,
  now = new Date(),
): Promise<ApiTokenView & { token: string }> {
  if (body.expiresAt !== undefined && new Date(body.expiresAt) <= now) {
    throw new ServiceError("invalid_body", "expiresAt must be in the future.");
  }
  const token = API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const created = await db().prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: {
        name: body.name,
        role: body.role,
        tokenHash: hashToken(token),
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        createdBy,
        expiresAt: body.expiresAt === undefined ? null : new Date(body.expiresAt),
      },
    });
    await recordAudit(tx, {
      actor: createdBy,
      action: "api_token.create",
      targetType: "api_token",
      targetId: row.id.toString(),
      detail: { name: row.name, role: row.role, expiresAt: row.expiresAt?.toISOString() ?? null },
    });
    return row;
  });
  return { ...toView(created), token };
}

export async function listApiTokens(): Promise<ApiTokenView[]> {
  const rows = await db().prisma.apiToken.findMany({ orderBy: { createdAt: "desc" } });
  return rows.map((row) => toView(row));
}

/** Revokes (idempotently: a second revoke keeps the first time and actor). */
export async function revokeApiToken(id: string, revokedBy: string): Promise<ApiTokenView> {
  if (!/^\d{1,18}$/.test(id)) throw new ServiceError("not_found", `No API token with id '${id}'.`);
  return db().prisma.$transaction(async (tx) => {
    const found = await tx.apiToken.findUnique({ where: { id: BigInt(id) } });
    if (found === null) throw new ServiceError("not_found", `No API token with id '${id}'.`);
    if (found.revokedAt !== null) return toView(found);
    const updated = await tx.apiToken.update({
      where: { id: found.id },
      data: { revokedAt: new Date(), revokedBy },
    });
    await recordAudit(tx, {
      actor: revokedBy,
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: id,
      detail: { name: found.name },
    });
    return toView(updated);
  });
}

/** Whether a string has the shape of an API token (to refuse one sent in a URL). */
export function isApiTokenShaped(value: string): boolean {
  return API_TOKEN_SHAPE.test(value);
}

/**
 * The principal behind an API token, or a 401 ServiceError saying why not
 * (malformed, unknown, revoked, expired). Records the use.
 */
export async function apiTokenPrincipal(token: string, now = new Date()): Promise<Principal> {
  if (!API_TOKEN_SHAPE.test(token)) {
    throw new ServiceError("unauthorized", "The bearer token is malformed.");
  }
  const hash = hashToken(token);
  const found = await db().prisma.apiToken.findUnique({ where: { tokenHash: hash } });
  if (found === null) throw new ServiceError("unauthorized", "The bearer token is not valid.");
  if (found.revokedAt !== null)
    throw new ServiceError("unauthorized", "The API token has been revoked.");
  if (found.expiresAt !== null && found.expiresAt <= now)
    throw new ServiceError("unauthorized", "The API token has expired.");
  if (now.getTime() - (lastWritten.get(hash) ?? 0) > LAST_USED_RESOLUTION_MS) {
    lastWritten.set(hash, now.getTime());
    await db().prisma.apiToken.update({ where: { id: found.id }, data: { lastUsedAt: now } });
  }
  return {
    operatorId: `api-token:${found.id}`,
    username: `token:${found.name}`,
    role: found.role as Role,
    // No cookie, so no cross-site request can carry it: nothing to protect with CSRF.
    csrfToken: "",
    apiTokenId: found.id.toString(),
  };
}

/** When a live stream opened with an API token must end: its expiry (null: never), or null when not valid now. */
export async function liveApiToken(id: string): Promise<{ expiresAt: Date | null } | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { rows } = await db().pool.query<{ expires_at: Date | null }>(
    `SELECT expires_at FROM api_token
      WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [id],
  );
  const row = rows[0];
  return row === undefined ? null : { expiresAt: row.expires_at };
}

/** Of these API token ids, the ones still valid: not revoked, not expired, not deleted. */
export async function stillValidApiTokens(ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db().pool.query<{ id: string }>(
    `SELECT id::text AS id FROM api_token
      WHERE id = ANY($1::bigint[]) AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > now())`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}
