// GET /api/clients/{clientId}/failures – refused connection attempts (connect_failed), newest first
import { listFailures } from "@/lib/clients/failures";
import { FailuresQuery, parseQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";

export const dynamic = "force-dynamic";

export const GET = clientRoute(async (clientId, searchParams) =>
  Response.json(await listFailures(clientId, parseQuery(FailuresQuery, searchParams))),
);
