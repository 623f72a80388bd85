// GET /api/clients/{clientId}/subscriptions – current topics (session-aware), per-topic state and history
import { listSubscriptions } from "@/lib/clients/subscriptions";
import { clientRoute } from "@/lib/http/client-route";

export const dynamic = "force-dynamic";

export const GET = clientRoute(async (clientId) =>
  Response.json(await listSubscriptions(clientId)),
);
