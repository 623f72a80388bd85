// GET /api/labels/facet?key=site – clients per value of one label key, with how many are online
import { parseQuery } from "@/lib/clients/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { labelFacet } from "@/lib/labels/facet";
import { FacetQuery } from "@/lib/labels/schemas";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const query = parseQuery(FacetQuery, new URL(request.url).searchParams);
    return Response.json(await labelFacet(query.key));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
