import { errorResponse } from "../http/handle-error";

/**
 * A handler for the methods a route does not serve: the error contract's
 * JSON 405 with an Allow header, instead of Next's empty 405.
 */
export function methodNotAllowed(allow: string): (request: Request) => Response {
  return (request) =>
    errorResponse(
      "method_not_allowed",
      `${request.method} is not allowed on ${new URL(request.url).pathname}; use ${allow}.`,
      405,
      { Allow: allow },
    );
}
