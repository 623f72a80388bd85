// The handlers of an admin-only `[id]` route (a rule, a channel, an
// operator, a token): the id from the path, one call into lib/, its answer
// as JSON. The role check and the error contract are guardedRoute's.
import "server-only";
import type { z } from "zod";
import { bodyRoute, guardedRoute, routeId, type IdParams } from "../http/guarded-route";
import type { Principal } from "./schemas";

/** PATCH: the body parsed by `schema` (`expected` says what it should be) applied to the id. */
export function adminPatchById<T extends z.ZodType>(
  schema: T,
  expected: string,
  update: (id: string, body: z.infer<T>) => Promise<unknown>,
) {
  return bodyRoute("admin", schema, expected, async (body, _principal, context: IdParams) =>
    Response.json(await update(await routeId(context), body)),
  );
}

/** DELETE (or revoke): its result as JSON; 204 when it returns nothing. */
export function adminDeleteById(remove: (id: string, admin: Principal) => Promise<object | void>) {
  return guardedRoute("admin", async (_request, admin, context: IdParams) => {
    const result = await remove(await routeId(context), admin);
    return result === undefined ? new Response(null, { status: 204 }) : Response.json(result);
  });
}
