// GET /api/reports/availability.csv – the whole availability report as a streamed CSV attachment
import { requirePrincipal } from "@/lib/auth/principal";
import { availabilityReportCsv, reportFileName } from "@/lib/availability/report";
import { AvailabilityReportQuery } from "@/lib/availability/schemas";
import { csvResponse } from "@/lib/export/connections-csv";
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(AvailabilityReportQuery, async (query, request) => {
  const { operatorId } = requirePrincipal(request);
  return csvResponse(await availabilityReportCsv(query, operatorId), reportFileName());
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
