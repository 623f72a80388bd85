// GET /api/alerts?state=firing|resolved – alerts newest first, with their deliveries and attempts
import { listAlerts } from "@/lib/alerts/list";
import { AlertsQuery } from "@/lib/alerts/schemas";
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(AlertsQuery, async (query) => Response.json(await listAlerts(query)));

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
