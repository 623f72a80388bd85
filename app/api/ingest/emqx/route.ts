// POST /api/ingest/emqx – EMQX data integration (rule engine HTTP action) client.connected / client.disconnected events
import { ingestMaxBytes } from "@/lib/config";
import { requireIngestToken } from "@/lib/http/auth";
import { readBodyText } from "@/lib/http/body";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { ingestItems } from "@/lib/ingest";
import { parseBody } from "@/lib/ingest/parse";
import { mapEmqxEvent } from "@/lib/sources/emqx-webhook";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    await requireIngestToken(request);
    const text = await readBodyText(request, ingestMaxBytes());
    return Response.json(await ingestItems(parseBody(text).map(mapEmqxEvent)));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
