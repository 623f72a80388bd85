// GET /api/alerts?state=firing|resolved – alerts newest first, with their deliveries and attempts
import { listAlerts } from "@/lib/alerts/list";
import { AlertsQuery } from "@/lib/alerts/schemas";
import { parseQuery } from "@/lib/clients/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(AlertsQuery, new URL(request.url).searchParams);
    return Response.json(await listAlerts(query));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
