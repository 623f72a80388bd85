// GET /api/stream – Server-Sent Events: `client` per changed client, `summary` counts, heartbeats
import { handleApiError } from "@/lib/http/handle-error";
import { openFleetStream, sseResponse } from "@/lib/stream/open-stream";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(request: Request): Response {
  try {
    return sseResponse(openFleetStream(request.signal));
  } catch (error) {
    return handleApiError(error);
  }
}

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
