// GET /api/openapi.json – the OpenAPI 3.1 document of every public route (public: it describes, it holds no data)
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

async function get(): Promise<Response> {
  try {
    return Response.json(openApiDocument());
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
