// GET /api/stats/reasons?range=24h|7d – disconnects per reason per hour or day
import { handleApiError } from "@/lib/http/handle-error";
import { parseQuery } from "@/lib/clients/schemas";
import { routeMethods } from "@/lib/http/route-methods";
import { disconnectReasons, ReasonsQuery } from "@/lib/stats/reasons";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(ReasonsQuery, new URL(request.url).searchParams);
    return Response.json(await disconnectReasons(query));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
