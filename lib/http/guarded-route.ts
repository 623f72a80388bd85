// The shape of a route behind a role: the principal checked first (401 for
// nobody, 403 for a viewer where admins are asked for), then the one call
// into lib/, any failure turned into the error contract. With a body, it is
// parsed by its zod schema before the call (one 400 naming every bad field).
import "server-only";
import type { z } from "zod";
import { parseJsonBody } from "../auth/parse-json";
import { requireAdmin, requirePrincipal } from "../auth/principal";
import type { Principal } from "../auth/schemas";
import { handleApiError } from "./handle-error";

export type Role = "viewer" | "admin";

/** The `[id]` segment of a dynamic route's path. */
export type IdParams = { params: Promise<{ id: string }> };

/** A handler that runs only for a principal of `role` (admins pass as viewers too). */
export function guardedRoute<C = void>(
  role: Role,
  handle: (request: Request, principal: Principal, context: C) => Promise<Response>,
): (request: Request, context: C) => Promise<Response> {
  return async (request, context) => {
    try {
      const principal = role === "admin" ? requireAdmin(request) : requirePrincipal(request);
      return await handle(request, principal, context);
    } catch (error) {
      return handleApiError(error);
    }
  };
}

/** As guardedRoute, with the JSON body parsed by `schema`; `expected` says what a body should be. */
export function bodyRoute<T extends z.ZodType, C = void>(
  role: Role,
  schema: T,
  expected: string,
  handle: (body: z.infer<T>, principal: Principal, context: C) => Promise<Response>,
): (request: Request, context: C) => Promise<Response> {
  return guardedRoute<C>(role, async (request, principal, context) =>
    handle(await parseJsonBody(request, schema, expected), principal, context),
  );
}

/** The `[id]` of a dynamic route. */
export async function routeId(context: IdParams): Promise<string> {
  return (await context.params).id;
}
