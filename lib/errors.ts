// One error family for the whole service. Domain code throws ServiceError
// with a typed code; lib/http/handle-error.ts maps it to HTTP in one place.

export const ERROR_STATUS = {
  unauthorized: 401,
  invalid_json: 400,
  invalid_body: 400,
  invalid_query: 400,
  payload_too_large: 413,
  not_found: 404,
  database_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ServiceError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** Connection-level failures of PostgreSQL: the sender should retry later. */
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (UNAVAILABLE_NODE_CODES.has(code)) return true;
      // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 08xxx connection exceptions.
      if (/^(57P0[1-3]|08\d{3}|53300)$/.test(code)) return true;
    }
    if (/Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(current.message)) {
      return true;
    }
    current = current.cause;
  }
  return false;
}
