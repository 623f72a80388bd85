// GET /api/stats/online?range=24h|7d – number of online clients over time, from connections
import { handleApiError } from "@/lib/http/handle-error";
import { parseQuery } from "@/lib/clients/schemas";
import { onlineHistory } from "@/lib/stats/online-history";
import { OnlineHistoryQuery } from "@/lib/stats/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(OnlineHistoryQuery, new URL(request.url).searchParams);
    return Response.json(await onlineHistory(query));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
