// GET /api/clients/{clientId} – one client's status, session and subscriptions
import { getClient } from "@/lib/clients/get";
import { clientRoute } from "@/lib/http/client-route";

export const dynamic = "force-dynamic";

export const GET = clientRoute(async (clientId) => Response.json(await getClient(clientId)));
