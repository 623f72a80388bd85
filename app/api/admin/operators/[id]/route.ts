// PATCH/DELETE /api/admin/operators/{id} – change role, disable, reset password, delete (admins only)
import { deleteOperator, updateOperator } from "@/lib/auth/operators";
import { UpdateOperatorBody } from "@/lib/auth/schemas";
import { bodyRoute, guardedRoute, routeId, type IdParams } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const patch = bodyRoute(
  "admin",
  UpdateOperatorBody,
  "JSON {role?, disabled?, password?}",
  async (body, _principal, context: IdParams) =>
    Response.json(await updateOperator(await routeId(context), body)),
);

const remove = guardedRoute("admin", async (_request, _principal, context: IdParams) => {
  await deleteOperator(await routeId(context));
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
