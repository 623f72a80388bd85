// One error family for the whole service. Domain code throws ServiceError
// with a typed code; lib/http/handle-error.ts maps it to HTTP in one place.

import type { z } from "zod";

export const ERROR_STATUS = {
  unauthorized: 401,
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  invalid_path: 400,
  forbidden: 403,
  conflict: 409,
  csrf_failed: 403,
  too_many_requests: 429,
  database_unavailable: 503,
  /** A GET's database reads ran past QUERY_TIMEOUT_MS and were cancelled (Retry-After; the message names the request). */
  query_timeout: 503,
  /** GET /api/auth/providers with broken OIDC_* settings (the message names the variable). */
  sso_misconfigured: 500,
  /** A setting the server should have refused at start (GET /metrics and METRICS_LABEL_KEYS; the message names it). */
  misconfigured: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  /** Seconds the caller should wait before trying again (a Retry-After header on 429 and 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = "ServiceError";
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/**
 * The caller went away (the HTTP request was aborted) and the database work
 * serving it was cancelled: nobody reads the answer, so it is no error of the
 * service's and is not logged (lib/db/request-reads.ts).
 */
export class RequestAborted extends Error {
  constructor(message = "The request was aborted by its caller.", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RequestAborted";
  }
}

/**
 * The one wording of zod issues: every problem with the field it is about
 * ("limit: Too big…"), then a count of any past `max` (an ingest event with
 * 100,000 bad topics must not yield a 4 MB reason). `fields`: "always" puts
 * the field before every message (JSON bodies: "password: password must…",
 * as the admin API has always answered); "unless-named" leaves it out where
 * the message starts with it ("q must be at most 128 characters").
 */
export function describeIssues(
  error: z.ZodError,
  {
    fields = "unless-named",
    max = Infinity,
  }: { fields?: "always" | "unless-named"; max?: number } = {},
): string {
  const named = error.issues.slice(0, max).map((issue) => {
    const field = issue.path.map(String).join(".");
    const named = fields === "unless-named" && issue.message.startsWith(`${field} `);
    return field && !named ? `${field}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - named.length;
  return more > 0 ? `${named.join("; ")}; and ${more} more` : named.join("; ");
}

/** Connection-level failures of PostgreSQL: the sender should retry later. */
const UNAVAILABLE_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (UNAVAILABLE_NODE_CODES.has(code)) return true;
      // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
      if (/^(57P0[1-3]|08\d{3}|53300|3D000)$/.test(code)) return true;
    }
    // node-pg's own words: "Connection terminated (unexpectedly)" mid-statement, and "Client has
    // encountered a connection error and is not queryable" / "Client was closed and is not
    // queryable" for a statement sent after the connection dropped (between two of a batch).
    if (
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|is not queryable/i.test(
        current.message,
      )
    ) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** The SQLSTATE of a node-pg error, or of one Prisma wrapped (driver adapter), along the cause chain. */
function sqlStates(error: unknown): string[] {
  const states: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const { code, meta } = current as { code?: unknown; meta?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) states.push(code);
    const adapter = (meta as { driverAdapterError?: { cause?: { code?: unknown } } } | undefined)
      ?.driverAdapterError;
    if (typeof adapter?.cause?.code === "string") states.push(adapter.cause.code);
    current = current.cause;
  }
  return states;
}

/**
 * PostgreSQL ran short of a resource for this transaction (SQLSTATE class 53:
 * e.g. 53200 "out of shared memory" when concurrent batches hold more
 * advisory locks, one per client, than max_locks_per_transaction × max
 * connections): nothing was stored, and the same batch succeeds once the
 * others have committed, so the sender should retry (503), not give up (500).
 */
export function isDatabaseOutOfResources(error: unknown): boolean {
  return sqlStates(error).some((s) => s.startsWith("53"));
}

/**
 * PostgreSQL refused text from the request: a NUL character (22021 in a text
 * parameter, 22P05 through jsonb). Input validation stops these first; this
 * is the backstop for a path that does not validate yet (e.g. a client ID in
 * the URL), so the caller gets a 400 instead of a 500.
 */
export function isUnstorableText(error: unknown): boolean {
  return sqlStates(error).some((s) => s === "22021" || s === "22P05");
}
