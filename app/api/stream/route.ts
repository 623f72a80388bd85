// GET /api/stream – Server-Sent Events: `client` per changed client, `summary` counts, heartbeats
import { handleApiError } from "@/lib/http/handle-error";
import { openFleetStream, sseResponse } from "@/lib/stream/open-stream";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

function get(request: Request): Response {
  try {
    return sseResponse(openFleetStream(request.signal));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
