// GET/PUT /api/clients/{clientId}/labels – a client's labels; PUT replaces them (admins only)
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { clientRoute } from "@/lib/http/client-route";
import { routeMethods } from "@/lib/http/route-methods";
import { labelsForClient, putLabels } from "@/lib/labels/client-labels";
import { PutLabelsBody } from "@/lib/labels/schemas";

export const dynamic = "force-dynamic";

const get = clientRoute(async (clientId) => Response.json(await labelsForClient(clientId)));

const put = clientRoute(async (clientId, _search, request) => {
  requireAdmin(request);
  const { labels } = await parseJsonBody(request, PutLabelsBody, '{"labels": {key: value, …}}');
  return Response.json(await putLabels(clientId, labels));
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, PUT: put });
