// GET /api/stats/summary – fleet counts by status, plus flapping (what the stream's `summary` carries)
import { handleApiError } from "@/lib/http/handle-error";
import { countClients } from "@/lib/clients/list";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(): Promise<Response> {
  try {
    return Response.json(await countClients(undefined));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
