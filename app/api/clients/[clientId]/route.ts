// GET /api/clients/{clientId} – one client's status, session and subscriptions
import { getClient } from "@/lib/clients/get";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId) => Response.json(await getClient(clientId)));

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
