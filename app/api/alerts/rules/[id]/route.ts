// PATCH/DELETE /api/alerts/rules/{id} – change or delete an alert rule (admins)
import { deleteRule, updateRule } from "@/lib/alerts/rules";
import { PatchRuleBody } from "@/lib/alerts/schemas";
import { bodyRoute, guardedRoute, routeId, type IdParams } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const patch = bodyRoute(
  "admin",
  PatchRuleBody,
  "JSON with the rule fields to change",
  async (body, _principal, context: IdParams) =>
    Response.json(await updateRule(await routeId(context), body)),
);

const remove = guardedRoute("admin", async (_request, _principal, context: IdParams) =>
  Response.json(await deleteRule(await routeId(context))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
