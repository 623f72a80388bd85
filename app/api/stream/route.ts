// GET /api/stream – Server-Sent Events: `client` per changed client, `summary` counts, heartbeats
import { liveSession, readCookie, SESSION_COOKIE } from "@/lib/auth/sessions";
import { ServiceError } from "@/lib/errors";
import { handleApiError } from "@/lib/http/handle-error";
import { openFleetStream, sseResponse } from "@/lib/stream/open-stream";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request): Promise<Response> {
  try {
    const session = await liveSession(readCookie(request, SESSION_COOKIE));
    if (session === null) throw new ServiceError("unauthorized", "Log in first.");
    return sseResponse(openFleetStream(request.signal, session));
  } catch (error) {
    return handleApiError(error);
  }
}

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
