// GET /api/clients/{clientId}/events – raw lifecycle events, newest first
import { listEvents } from "@/lib/clients/events";
import { EventsQuery, parseQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId, searchParams) =>
  Response.json(await listEvents(clientId, parseQuery(EventsQuery, searchParams))),
);

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
