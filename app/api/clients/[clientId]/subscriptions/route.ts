// GET /api/clients/{clientId}/subscriptions – current topics (session-aware), per-topic state and history
import { listSubscriptions } from "@/lib/clients/subscriptions";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId) => Response.json(await listSubscriptions(clientId)));

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
