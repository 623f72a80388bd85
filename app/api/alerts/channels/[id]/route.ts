// PATCH/DELETE /api/alerts/channels/{id} – change or delete an alert channel (admins)
import { deleteChannel, updateChannel } from "@/lib/alerts/channel-store";
import { PatchChannelBody } from "@/lib/alerts/schemas";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

async function patch(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(
      request,
      PatchChannelBody,
      "JSON with the channel fields to change",
    );
    return Response.json(await updateChannel((await params).id, body));
  } catch (error) {
    return handleApiError(error);
  }
}

async function remove(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json(await deleteChannel((await params).id));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
