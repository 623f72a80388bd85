// GET /api/clients/{clientId}/events – raw lifecycle events, newest first
import { listEvents } from "@/lib/clients/events";
import { EventsQuery, parseQuery } from "@/lib/clients/schemas";
import { clientRoute } from "@/lib/http/client-route";

export const dynamic = "force-dynamic";

export const GET = clientRoute(async (clientId, searchParams) =>
  Response.json(await listEvents(clientId, parseQuery(EventsQuery, searchParams))),
);
