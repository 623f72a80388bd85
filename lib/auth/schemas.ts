import { z } from "zod";

export const ROLES = ["viewer", "admin"] as const;

export type Role = (typeof ROLES)[number];

/** Text PostgreSQL stores as given: no NUL (it refuses one), no lone UTF-16 surrogate (it would become U+FFFD). */
const storable = (s: string) => !/[\u0000\p{Cs}]/u.test(s);

export const Username = z
  .string({ error: "username must be a string" })
  .trim()
  .min(1, "username must not be empty")
  .max(64, "username must be at most 64 characters")
  .regex(/^[\p{L}\p{N}._@-]+$/u, "username may contain letters, digits and . _ @ - only");

export const Password = z
  .string({ error: "password must be a string" })
  .min(12, "password must be at least 12 characters")
  .max(256, "password must be at most 256 characters")
  // UTF-8 would turn every lone surrogate into U+FFFD: different passwords, one hash.
  .refine((s) => !/\p{Cs}/u.test(s), "password must not contain lone surrogates");

export const LoginBody = z.object({
  username: z
    .string({ error: "username must be a string" })
    .max(64, "username must be at most 64 characters")
    .refine(storable, "username must not contain NUL characters or lone surrogates"),
  password: z
    .string({ error: "password must be a string" })
    .max(256, "password must be at most 256 characters"),
});

export const CreateOperatorBody = z.object({
  username: Username,
  password: Password,
  role: z.enum(ROLES).default("viewer"),
});

export const UpdateOperatorBody = z
  .object({
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    password: Password.optional(),
  })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, {
    message: "nothing to change: give role, disabled or password",
  });

const TokenName = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "name must not be empty")
  .max(100, "name must be at most 100 characters")
  .refine(storable, "name must not contain NUL characters or lone surrogates")
  .refine(
    (s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s),
    "name must not contain control characters or line breaks",
  );

export const CreateTokenBody = z.object({ name: TokenName });

/** POST /api/admin/api-tokens. */
export const CreateApiTokenBody = z.object({
  name: TokenName,
  role: z.enum(ROLES, { error: "role must be viewer or admin" }),
  expiresAt: z.iso
    .datetime({
      offset: true,
      error: "expiresAt must be an ISO 8601 time, e.g. 2027-01-31T00:00:00Z",
    })
    .optional(),
});
export type CreateApiTokenBody = z.infer<typeof CreateApiTokenBody>;

export interface OperatorView {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface IngestTokenView {
  id: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  /** As of when the view was read: revoked wins over expired. */
  state: "active" | "expired" | "revoked";
}

/** Who is making the request, as the proxy establishes it. */
export interface Principal {
  operatorId: string;
  username: string;
  role: Role;
  csrfToken: string;
  /** Set when an API token (not a session) authenticated the request. */
  apiTokenId?: string;
}
