// GET /api/stream – Server-Sent Events: `client` per changed client, `summary` counts, heartbeats
import { liveSession, readCookie, SESSION_COOKIE } from "@/lib/auth/sessions";
import { ServiceError } from "@/lib/errors";
import { handleApiError } from "@/lib/http/handle-error";
import { openFleetStream, sseResponse } from "@/lib/stream/open-stream";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

async function get(request: Request): Promise<Response> {
  try {
    const session = await liveSession(readCookie(request, SESSION_COOKIE));
    if (session === null) throw new ServiceError("unauthorized", "Log in first.");
    return sseResponse(openFleetStream(request.signal, session));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
