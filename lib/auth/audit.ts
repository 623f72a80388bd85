// Who created and revoked which credential. One row per act, written in the
// same transaction as the act, so the record and the change cannot part.
import "server-only";
import type { Prisma } from "../generated/prisma/client";

export type AuditAction = "api_token.create" | "api_token.revoke";

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  targetType: string;
  targetId: string;
  detail?: Prisma.InputJsonObject;
}

export async function recordAudit(tx: Prisma.TransactionClient, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({ data: { ...entry, detail: entry.detail ?? {} } });
}
