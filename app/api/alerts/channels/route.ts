// GET/POST /api/alerts/channels – list channels (viewers; no secrets), create one (admins; secret shown once)
import { createChannel, listChannels } from "@/lib/alerts/channel-store";
import { CreateChannelBody } from "@/lib/alerts/schemas";
import { bodyRoute, guardedRoute } from "@/lib/http/guarded-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = guardedRoute("viewer", async () => Response.json(await listChannels()));

const post = bodyRoute(
  "admin",
  CreateChannelBody,
  "JSON {name, type, url?, secret?, to?}",
  async (body) =>
    Response.json(await createChannel(body), {
      status: 201,
      headers: { "Cache-Control": "no-store" },
    }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
