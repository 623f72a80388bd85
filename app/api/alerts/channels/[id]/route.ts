// PATCH/DELETE /api/alerts/channels/{id} – change or delete an alert channel (admins)
import { deleteChannel, updateChannel } from "@/lib/alerts/channel-store";
import { PatchChannelBody } from "@/lib/alerts/schemas";
import { bodyRoute, guardedRoute, routeId, type IdParams } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const patch = bodyRoute(
  "admin",
  PatchChannelBody,
  "JSON with the channel fields to change",
  async (body, _principal, context: IdParams) =>
    Response.json(await updateChannel(await routeId(context), body)),
);

const remove = guardedRoute("admin", async (_request, _principal, context: IdParams) =>
  Response.json(await deleteChannel(await routeId(context))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
