// GET/POST /api/alerts/channels – list channels (viewers; no secrets), create one (admins; secret shown once)
import { createChannel, listChannels } from "@/lib/alerts/channel-store";
import { CreateChannelBody } from "@/lib/alerts/schemas";
import { collectionRoute } from "@/lib/http/collection-route";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = collectionRoute("viewer", {
  list: listChannels,
  body: [CreateChannelBody, "JSON {name, type, url?, secret?, to?}"],
  create: (body) => createChannel(body),
});
