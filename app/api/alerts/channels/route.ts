// GET/POST /api/alerts/channels – list channels (viewers; no secrets), create one (admins; secret shown once)
import { createChannel, listChannels } from "@/lib/alerts/channel-store";
import { CreateChannelBody } from "@/lib/alerts/schemas";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin, requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requirePrincipal(request);
    return Response.json(await listChannels());
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(
      request,
      CreateChannelBody,
      "JSON {name, type, url?, secret?, to?}",
    );
    return Response.json(await createChannel(body), {
      status: 201,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
