// GET /api/clients/{clientId}/failures – refused connection attempts (connect_failed), newest first
import { listFailures } from "@/lib/clients/failures";
import { FailuresQuery, parseQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId, searchParams) =>
  Response.json(await listFailures(clientId, parseQuery(FailuresQuery, searchParams))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
