// GET /api/stats/online?range=24h|7d – number of online clients over time, from connections
import { handleApiError } from "@/lib/http/handle-error";
import { parseQuery } from "@/lib/clients/schemas";
import { onlineHistory } from "@/lib/stats/online-history";
import { OnlineHistoryQuery } from "@/lib/stats/schemas";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const query = parseQuery(OnlineHistoryQuery, new URL(request.url).searchParams);
    return Response.json(await onlineHistory(query));
  } catch (error) {
    return handleApiError(error);
  }
}
