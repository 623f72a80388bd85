// GET /api/clients/{clientId}/availability – online / observed time over a range, day by day
import { requirePrincipal } from "@/lib/auth/principal";
import { clientAvailability } from "@/lib/availability/report";
import { ClientAvailabilityQuery } from "@/lib/availability/schemas";
import { parseQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId, searchParams, request) => {
  requirePrincipal(request);
  return Response.json(
    await clientAvailability(clientId, parseQuery(ClientAvailabilityQuery, searchParams)),
  );
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
