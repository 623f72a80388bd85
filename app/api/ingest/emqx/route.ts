// POST /api/ingest/emqx – EMQX data integration (rule engine HTTP action) client.connected / client.disconnected events
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { mapEmqxEvent } from "@/lib/sources/emqx-webhook";
import { ingestVendorMessages } from "@/lib/sources/vendor-ingest";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    return await ingestVendorMessages(request, mapEmqxEvent);
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
