// GET /api/stats/reasons?range=24h|7d – disconnects per reason per hour or day
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";
import { disconnectReasons, ReasonsQuery } from "@/lib/stats/reasons";

export const dynamic = "force-dynamic";

const get = queryRoute(ReasonsQuery, async (query) =>
  Response.json(await disconnectReasons(query)),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
