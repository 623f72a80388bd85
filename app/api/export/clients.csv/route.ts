// GET /api/export/clients.csv – the fleet table (filtered as the list is) as a CSV attachment
import { requirePrincipal } from "@/lib/auth/principal";
import { ExportClientsQuery } from "@/lib/clients/schemas";
import { fleetClientsCsv } from "@/lib/export/clients-csv";
import { csvFileName, csvResponse } from "@/lib/export/connections-csv";
import { queryRoute } from "@/lib/http/query-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = queryRoute(ExportClientsQuery, async (query, request) => {
  const { operatorId } = requirePrincipal(request);
  return csvResponse(
    await fleetClientsCsv(query, operatorId),
    csvFileName("fleet", new Date(), "clients"),
  );
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
