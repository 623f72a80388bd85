// Every API route answers a method it does not serve the same way: the error
// contract's JSON 405 with an Allow header naming what it does serve, instead
// of Next's empty 405 (which a client cannot tell from a proxy's answer).
import { withRequestReads } from "../db/request-reads";
import { errorResponse } from "./handle-error";

/** The methods a route may export; Next answers HEAD and OPTIONS itself. */
export const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

// `never`: any handler fits, whatever context (route params) it takes.
type Handler = (request: Request, context: never) => Response | Promise<Response>;
type Refuse = (request: Request) => Response;

/** A handler for the methods a route does not serve: 405 method_not_allowed, Allow: `allow`. */
export function methodNotAllowed(allow: string): (request: Request) => Response {
  const refuse = (request: Request) =>
    errorResponse(
      "method_not_allowed",
      `${request.method} is not allowed on ${new URL(request.url).pathname}; use ${allow}.`,
      { Allow: allow },
    );
  refusers.add(refuse);
  return refuse;
}

const refusers = new WeakSet<object>();

/** Whether a route export is the 405 handler (for the test that checks every route). */
export function isMethodNotAllowed(handler: unknown): boolean {
  return typeof handler === "function" && refusers.has(handler);
}

/**
 * API answers carry operator data (or say whether some exists): no cache
 * between the app and the browser may keep one, nor hand one user's answer
 * to another. `no-store` unless the route chose its own (the live stream),
 * and Vary on what identifies the caller.
 */
export function notStored(response: Response): Response {
  const apply = (headers: Headers) => {
    if (!headers.has("cache-control")) headers.set("Cache-Control", "no-store");
    headers.append("Vary", "Cookie, Authorization");
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    // Immutable headers (Response.redirect): copy the answer.
    const headers = new Headers(response.headers);
    apply(headers);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

/**
 * A route module's handlers, every method included: the ones given, and the
 * 405 for the rest. Use as
 * `export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: list });`
 * GET (and so HEAD) runs with its database reads bound to the request
 * (lib/db/request-reads.ts: cancelled when the caller goes away and at
 * QUERY_TIMEOUT_MS). `getWrites`: this GET writes (a sign-in that opens a
 * session), so it runs to its end like any other write. `streams`: this GET
 * answers a long-lived stream that ends itself when its caller goes (the
 * live stream), so its setup is not cut short by an abort it handles.
 */
export function routeMethods<H extends Partial<Record<RouteMethod, Handler>>>(
  handlers: H,
  options: { getWrites?: boolean; streams?: boolean } = {},
): { [M in RouteMethod]: M extends keyof H ? NonNullable<H[M]> : Refuse } {
  const served = ROUTE_METHODS.filter((m) => handlers[m] !== undefined);
  const refuse = methodNotAllowed(served.join(", "));
  const wrap = (handler: Handler, reads: boolean) => async (request: Request, context: never) =>
    notStored(
      // Next always passes the request; a direct call without one (a test of a
      // handler that reads none) has no caller to bind the reads to.
      await (reads && request !== undefined
        ? withRequestReads(request, async () => handler(request, context))
        : handler(request, context)),
    );
  return Object.fromEntries(
    ROUTE_METHODS.map((m) => {
      const handler = handlers[m];
      if (handler === undefined) return [m, refuse];
      return [
        m,
        wrap(handler, m === "GET" && options.getWrites !== true && options.streams !== true),
      ];
    }),
  ) as {
    [M in RouteMethod]: M extends keyof H ? NonNullable<H[M]> : Refuse;
  };
}
