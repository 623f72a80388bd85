// Ingest tokens managed by admins: stored hashed, shown once, revocable,
// last use recorded. INGEST_TOKEN from the environment keeps working beside them.
import "server-only";
import { randomBytes } from "node:crypto";
import { hashToken } from "./token-hash";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import type { IngestTokenView } from "./schemas";

const TOKEN_PREFIX = "fpi_";
/** last_used_at is written at most this often per token: ingest is a hot path. */
const LAST_USED_RESOLUTION_MS = 60_000;
const lastWritten = new Map<string, number>();

function toView(t: {
  id: bigint;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): IngestTokenView {
  return {
    id: t.id.toString(),
    name: t.name,
    prefix: t.prefix,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Returns the plaintext token once; only its hash is kept. */
export async function createIngestToken(
  name: string,
  createdBy: string,
): Promise<{ token: string; info: IngestTokenView }> {
  const token = TOKEN_PREFIX + randomBytes(24).toString("base64url");
  const created = await db().prisma.ingestToken.create({
    data: {
      name,
      tokenHash: hashToken(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      createdBy,
    },
  });
  return { token, info: toView(created) };
}

export async function listIngestTokens(): Promise<IngestTokenView[]> {
  const rows = await db().prisma.ingestToken.findMany({ orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

export async function revokeIngestToken(id: string): Promise<IngestTokenView> {
  if (!/^\d{1,18}$/.test(id))
    throw new ServiceError("not_found", `No ingest token with id '${id}'.`);
  const found = await db().prisma.ingestToken.findUnique({ where: { id: BigInt(id) } });
  if (found === null) throw new ServiceError("not_found", `No ingest token with id '${id}'.`);
  const updated = await db().prisma.ingestToken.update({
    where: { id: found.id },
    data: { revokedAt: found.revokedAt ?? new Date() },
  });
  return toView(updated);
}

/** True when `token` is an unrevoked admin-created token; records its use. */
export async function verifyStoredIngestToken(token: string): Promise<boolean> {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const hash = hashToken(token);
  const found = await db().prisma.ingestToken.findUnique({
    where: { tokenHash: hash },
    select: { id: true, revokedAt: true },
  });
  if (found === null || found.revokedAt !== null) return false;
  const now = Date.now();
  if (now - (lastWritten.get(hash) ?? 0) > LAST_USED_RESOLUTION_MS) {
    lastWritten.set(hash, now);
    await db().prisma.ingestToken.update({
      where: { id: found.id },
      data: { lastUsedAt: new Date(now) },
    });
  }
  return true;
}
