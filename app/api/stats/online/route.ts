// GET /api/stats/online?range=24h|7d|30d – number of online clients over time, from connections
import { queryRoute } from "@/lib/http/query-route";
import { onlineHistory } from "@/lib/stats/online-history";
import { OnlineHistoryQuery } from "@/lib/stats/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(OnlineHistoryQuery, async (query) =>
  Response.json(await onlineHistory(query)),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
