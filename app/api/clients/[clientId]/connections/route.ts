// GET /api/clients/{clientId}/connections – connection timeline, oldest first
import { listConnections } from "@/lib/clients/connections";
import { parseQuery, RangeQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";

export const dynamic = "force-dynamic";

export const GET = clientRoute(async (clientId, searchParams) =>
  Response.json({ items: await listConnections(clientId, parseQuery(RangeQuery, searchParams)) }),
);
