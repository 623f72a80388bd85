// GET /api/export/connections.csv – the fleet's (filtered) timelines as a CSV attachment
import { requirePrincipal } from "@/lib/auth/principal";
import { queryRoute } from "@/lib/http/query-route";
import { ExportQuery } from "@/lib/clients/schemas";
import { csvFileName, csvResponse, fleetConnectionsCsv } from "@/lib/export/connections-csv";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(ExportQuery, async (query, request) => {
  const { operatorId } = requirePrincipal(request);
  return csvResponse(await fleetConnectionsCsv(query, operatorId), csvFileName("fleet"));
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
