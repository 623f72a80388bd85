import {
  isDatabaseOutOfResources,
  isDatabaseUnavailable,
  isUnstorableText,
  ServiceError,
} from "../errors";

export function errorResponse(
  code: string,
  message: string,
  status: number,
  headers?: HeadersInit,
): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

/**
 * The one place errors become HTTP. Unknown errors are logged and answered
 * with a generic 500: database text never reaches the caller.
 */
export function handleApiError(error: unknown): Response {
  if (error instanceof ServiceError) {
    const retryAfter =
      error.retryAfterSeconds ?? (error.code === "database_unavailable" ? 5 : undefined);
    const headers =
      retryAfter === undefined ? undefined : { "Retry-After": String(Math.ceil(retryAfter)) };
    return errorResponse(error.code, error.message, error.status, headers);
  }
  if (isDatabaseUnavailable(error)) {
    return errorResponse("database_unavailable", "The database is unreachable; retry later.", 503, {
      "Retry-After": "5",
    });
  }
  if (isDatabaseOutOfResources(error)) {
    return errorResponse(
      "database_unavailable",
      "The database is short of resources for this request; retry later.",
      503,
      {
        "Retry-After": "5",
      },
    );
  }
  if (isUnstorableText(error)) {
    return errorResponse(
      "invalid_query",
      "The request holds a NUL character (\\u0000), which no client ID or stored text can contain.",
      400,
    );
  }
  console.error("unhandled error", error);
  return errorResponse("internal", "Internal server error.", 500);
}
