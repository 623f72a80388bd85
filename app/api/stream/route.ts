// GET /api/stream – Server-Sent Events: `client` per changed client, `summary` counts, heartbeats
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { openFleetStream, sseResponse } from "@/lib/stream/open-stream";
import { streamCredential } from "@/lib/stream/stream-credential";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A session cookie or `Authorization: Bearer <API token>`; the stream ends with either. */
async function get(request: Request): Promise<Response> {
  try {
    return sseResponse(openFleetStream(request.signal, await streamCredential(request)));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get }, { streams: true });
