// GET /api/clients/{clientId}/connections.csv – one client's timeline as a CSV attachment
import { requirePrincipal } from "@/lib/auth/principal";
import { requireClient } from "@/lib/clients/get";
import { parseQuery, RangeQuery } from "@/lib/clients/schemas";
import { clientConnectionsCsv, csvFileName, csvResponse } from "@/lib/export/connections-csv";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId, searchParams, request) => {
  const { operatorId } = requirePrincipal(request);
  const range = parseQuery(RangeQuery, searchParams);
  await requireClient(clientId);
  return csvResponse(
    await clientConnectionsCsv(clientId, range, operatorId),
    csvFileName(clientId),
  );
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
