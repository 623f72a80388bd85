// GET /api/export/connections.csv – the fleet's (filtered) timelines as a CSV attachment
import { requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { ExportQuery, parseQuery } from "@/lib/clients/schemas";
import { csvFileName, csvResponse, fleetConnectionsCsv } from "@/lib/export/connections-csv";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const { operatorId } = requirePrincipal(request);
    const query = parseQuery(ExportQuery, new URL(request.url).searchParams);
    return csvResponse(await fleetConnectionsCsv(query, operatorId), csvFileName("fleet"));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
