// DELETE /api/alerts/silences/{id} – end a silence now (admins)
import { endSilence } from "@/lib/alerts/silences";
import { guardedRoute, routeId, type IdParams } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const remove = guardedRoute("admin", async (_request, _principal, context: IdParams) =>
  Response.json(await endSilence(await routeId(context))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ DELETE: remove });
