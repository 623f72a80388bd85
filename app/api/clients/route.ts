// GET /api/clients – list clients with status, search, sort and cursor pagination
import { handleApiError } from "@/lib/http/handle-error";
import { listClients } from "@/lib/clients/list";
import { ListClientsQuery, parseQuery } from "@/lib/clients/schemas";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(ListClientsQuery, new URL(request.url).searchParams);
    return Response.json(await listClients(query));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
