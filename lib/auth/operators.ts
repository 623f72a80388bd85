// Operator accounts: creation, listing, changes, and the login check with
// lockout after repeated failures.
import "server-only";
import { db } from "../db/client";
import { ServiceError } from "../errors";
import { recordUnknownNameFailure, unknownNameLockedUntil } from "./login-throttle";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password";
import type { OperatorView, Role } from "./schemas";

/** Failed logins before an account is locked, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

interface OperatorRow {
  id: bigint;
  username: string;
  role: string;
  disabled: boolean;
  lockedUntil: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export function toOperatorView(o: OperatorRow): OperatorView {
  return {
    id: o.id.toString(),
    username: o.username,
    role: o.role as Role,
    disabled: o.disabled,
    lockedUntil:
      o.lockedUntil && o.lockedUntil.getTime() > Date.now() ? o.lockedUntil.toISOString() : null,
    createdAt: o.createdAt.toISOString(),
    lastLoginAt: o.lastLoginAt?.toISOString() ?? null,
  };
}

/** Prisma's P2002, or PostgreSQL's 23505 through the driver adapter. */
function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const { code, meta } = current as { code?: unknown; meta?: unknown };
    if (code === "P2002" || code === "23505") return true;
    const adapter = (
      meta as { driverAdapterError?: { cause?: { code?: unknown; kind?: unknown } } }
    )?.driverAdapterError?.cause;
    if (adapter?.code === "23505" || adapter?.kind === "UniqueConstraintViolation") return true;
    current = current.cause;
  }
  return false;
}

async function findByUsername(username: string) {
  const rows = await db().prisma.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM operator WHERE lower(username) = lower(${username})`;
  const id = rows[0]?.id;
  return id === undefined ? null : db().prisma.operator.findUnique({ where: { id } });
}

export async function createOperator(input: {
  username: string;
  password: string;
  role: Role;
}): Promise<OperatorView> {
  if ((await findByUsername(input.username)) !== null) {
    throw new ServiceError("conflict", `An operator named '${input.username}' already exists.`);
  }
  const passwordHash = await hashPassword(input.password);
  try {
    const created = await db().prisma.operator.create({
      data: { username: input.username, passwordHash, role: input.role },
    });
    return toOperatorView(created);
  } catch (error) {
    // The same name created concurrently (unique on lower(username)): the other request won.
    if (isUniqueViolation(error)) {
      throw new ServiceError("conflict", `An operator named '${input.username}' already exists.`);
    }
    throw error;
  }
}

/** Creates the operator, or (resetPassword) sets its password and role: for the demo and `user:add --update`. */
export async function upsertOperator(input: {
  username: string;
  password: string;
  role: Role;
}): Promise<OperatorView> {
  const existing = await findByUsername(input.username);
  if (existing === null) return createOperator(input);
  const updated = await db().prisma.operator.update({
    where: { id: existing.id },
    data: {
      passwordHash: await hashPassword(input.password),
      role: input.role,
      failedLogins: 0,
      lockedUntil: null,
      disabled: false,
    },
  });
  return toOperatorView(updated);
}

export async function listOperators(): Promise<OperatorView[]> {
  const rows = await db().prisma.operator.findMany({ orderBy: { username: "asc" } });
  return rows.map(toOperatorView);
}

async function requireOperatorId(id: string): Promise<bigint> {
  if (!/^\d{1,18}$/.test(id)) throw new ServiceError("not_found", `No operator with id '${id}'.`);
  const found = await db().prisma.operator.findUnique({
    where: { id: BigInt(id) },
    select: { id: true },
  });
  if (found === null) throw new ServiceError("not_found", `No operator with id '${id}'.`);
  return found.id;
}

/** Refuses changes that would leave no enabled admin: nobody could manage accounts any more. */
async function assertAnotherAdmin(exceptId: bigint): Promise<void> {
  const admins = await db().prisma.operator.count({
    where: { role: "admin", disabled: false, id: { not: exceptId } },
  });
  if (admins === 0)
    throw new ServiceError(
      "conflict",
      "This is the last enabled admin; create another admin first.",
    );
}

export async function updateOperator(
  id: string,
  change: {
    role?: Role | undefined;
    disabled?: boolean | undefined;
    password?: string | undefined;
  },
): Promise<OperatorView> {
  const operatorId = await requireOperatorId(id);
  if (change.role === "viewer" || change.disabled === true) await assertAnotherAdmin(operatorId);
  // A new password or a disabled account ends every session of that operator:
  // the database does it (migration 20261203100000), for every path that changes them.
  const updated = await db().prisma.operator.update({
    where: { id: operatorId },
    data: {
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(change.password !== undefined
        ? {
            passwordHash: await hashPassword(change.password),
            failedLogins: 0,
            lockedUntil: null,
          }
        : {}),
    },
  });
  return toOperatorView(updated);
}

export async function deleteOperator(id: string): Promise<void> {
  const operatorId = await requireOperatorId(id);
  await assertAnotherAdmin(operatorId);
  await db().prisma.operator.delete({ where: { id: operatorId } });
}

/** The answer to a locked name, whether or not it has an account. */
function lockedError(lockedUntil: Date, now: Date): ServiceError {
  const minutes = Math.ceil((lockedUntil.getTime() - now.getTime()) / 60_000);
  return new ServiceError(
    "too_many_requests",
    `Too many failed logins: the account is locked for ${minutes} more minute(s).`,
  );
}

/**
 * Checks a login. The same generic message for an unknown user, a wrong
 * password or a disabled account, so logins cannot probe which names exist;
 * a locked account says so (the owner needs to know why it fails), and a
 * name without an account locks the same way after the same failures
 * (lib/auth/login-throttle.ts), or the lock would betray which names exist.
 */
export async function verifyLogin(
  username: string,
  password: string,
  now = new Date(),
): Promise<OperatorRow> {
  const invalid = new ServiceError("unauthorized", "Invalid username or password.");
  const operator = await findByUsername(username);
  if (operator === null) {
    const lockedUntil = await unknownNameLockedUntil(username, now);
    if (lockedUntil !== null) throw lockedError(lockedUntil, now);
    await verifyPassword(password, DUMMY_HASH);
    await recordUnknownNameFailure(username, now, MAX_FAILED_LOGINS, LOCKOUT_MS);
    throw invalid;
  }
  if (operator.lockedUntil !== null && operator.lockedUntil > now) {
    throw lockedError(operator.lockedUntil, now);
  }
  const ok = await verifyPassword(password, operator.passwordHash);
  if (!ok || operator.disabled) {
    if (!ok) {
      const failed = operator.failedLogins + 1;
      await db().prisma.operator.update({
        where: { id: operator.id },
        data:
          failed >= MAX_FAILED_LOGINS
            ? { failedLogins: 0, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) }
            : { failedLogins: failed },
      });
    }
    throw invalid;
  }
  return db().prisma.operator.update({
    where: { id: operator.id },
    data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now },
  });
}

/** First start on an empty database: ADMIN_USERNAME/ADMIN_PASSWORD create the first admin. */
export async function bootstrapAdmin(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.ADMIN_USERNAME || !env.ADMIN_PASSWORD) return false;
  if ((await db().prisma.operator.count()) > 0) return false;
  try {
    await createOperator({
      username: env.ADMIN_USERNAME,
      password: env.ADMIN_PASSWORD,
      role: "admin",
    });
    return true;
  } catch (error) {
    // Several instances starting at once: another one created it first.
    if ((await db().prisma.operator.count()) > 0) return false;
    throw error;
  }
}
