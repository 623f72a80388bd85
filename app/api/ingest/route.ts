// POST /api/ingest – store a batch of AWS IoT lifecycle events
import { ingestMaxBytes } from "@/lib/config";
import { requireIngestToken } from "@/lib/http/auth";
import { readBodyText } from "@/lib/http/body";
import { handleApiError } from "@/lib/http/handle-error";
import { ingest } from "@/lib/ingest";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    await requireIngestToken(request);
    const text = await readBodyText(request, ingestMaxBytes());
    return Response.json(await ingest(text));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
