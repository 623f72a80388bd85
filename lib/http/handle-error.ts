import {
  ERROR_STATUS,
  type ErrorCode,
  isDatabaseOutOfResources,
  isDatabaseUnavailable,
  isUnstorableText,
  RequestAborted,
  ServiceError,
} from "../errors";

/**
 * The one shape of an error answer, `{ error: { code, message } }`, with the
 * status its code stands for: route handlers, the 405 of routeMethods, the
 * proxy and /api/health all answer through it.
 */
export function errorResponse(code: ErrorCode, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: { code, message } }, { status: ERROR_STATUS[code], headers });
}

/**
 * The one place errors become HTTP. Unknown errors are logged and answered
 * with a generic 500: database text never reaches the caller.
 */
export function handleApiError(error: unknown): Response {
  // Nobody is left to read it: nginx's "client closed request", neither logged nor in the contract.
  if (error instanceof RequestAborted) return new Response(null, { status: 499 });
  if (error instanceof ServiceError) {
    const retryAfter =
      error.retryAfterSeconds ?? (error.code === "database_unavailable" ? 5 : undefined);
    const headers =
      retryAfter === undefined ? undefined : { "Retry-After": String(Math.ceil(retryAfter)) };
    return errorResponse(error.code, error.message, headers);
  }
  if (isDatabaseUnavailable(error)) {
    return errorResponse("database_unavailable", "The database is unreachable; retry later.", {
      "Retry-After": "5",
    });
  }
  if (isDatabaseOutOfResources(error)) {
    return errorResponse(
      "database_unavailable",
      "The database is short of resources for this request; retry later.",
      { "Retry-After": "5" },
    );
  }
  if (isUnstorableText(error)) {
    return errorResponse(
      "invalid_query",
      "The request holds a NUL character (\\u0000), which no client ID or stored text can contain.",
    );
  }
  console.error("unhandled error", error);
  return errorResponse("internal", "Internal server error.");
}
