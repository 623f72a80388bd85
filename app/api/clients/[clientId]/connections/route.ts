// GET /api/clients/{clientId}/connections – connection timeline, oldest first
import { listConnections } from "@/lib/clients/connections";
import { parseQuery, RangeQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId, searchParams) =>
  Response.json({ items: await listConnections(clientId, parseQuery(RangeQuery, searchParams)) }),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
