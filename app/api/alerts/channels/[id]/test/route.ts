// POST /api/alerts/channels/{id}/test – send a sample notification now; answers how it went (admins)
import { sendTest } from "@/lib/alerts/channel-store";
import { guardedRoute, routeId, type IdParams } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const post = guardedRoute("admin", async (_request, _principal, context: IdParams) =>
  Response.json(await sendTest(await routeId(context))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
