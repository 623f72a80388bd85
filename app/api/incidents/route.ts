// GET /api/incidents – incidents overlapping a time range, newest first
import { queryRoute } from "@/lib/http/query-route";
import { listIncidents } from "@/lib/incidents/read";
import { ListIncidentsQuery } from "@/lib/incidents/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(ListIncidentsQuery, async (query) =>
  Response.json(await listIncidents(query)),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
