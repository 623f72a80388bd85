// GET /api/stats/summary – fleet counts by status, plus flapping (what the stream's `summary` carries); asOf: at a past moment
import { handleApiError } from "@/lib/http/handle-error";
import { countClients, liveFleetCounts } from "@/lib/clients/list";
import { countClientsAsOf } from "@/lib/clients/list-as-of";
import { parseQuery, SummaryQuery } from "@/lib/clients/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(SummaryQuery, new URL(request.url).searchParams);
    if (query.asOf !== undefined)
      return Response.json(await countClientsAsOf({ label: query.label }, new Date(query.asOf)));
    if (query.label === undefined || query.label.length === 0)
      return Response.json(await liveFleetCounts());
    return Response.json(await countClients({ label: query.label }));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
