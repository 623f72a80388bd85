// GET /api/reports/availability – the fleet's availability over a range, worst first
import { requirePrincipal } from "@/lib/auth/principal";
import { availabilityReport } from "@/lib/availability/report";
import { AvailabilityReportQuery } from "@/lib/availability/schemas";
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(AvailabilityReportQuery, async (query, request) => {
  requirePrincipal(request);
  return Response.json(await availabilityReport(query));
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
