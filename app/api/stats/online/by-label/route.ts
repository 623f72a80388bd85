// GET /api/stats/online/by-label?key=site&range=24h|7d|30d – the online chart per value of one label key
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";
import { onlineByLabel } from "@/lib/stats/online-by-label";
import { OnlineByLabelQuery } from "@/lib/stats/schemas";

export const dynamic = "force-dynamic";

const get = queryRoute(OnlineByLabelQuery, async (query) =>
  Response.json(await onlineByLabel(query)),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
