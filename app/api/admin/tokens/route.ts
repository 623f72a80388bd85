// GET/POST /api/admin/tokens – list ingest tokens, create one (shown once; admins only)
import { createIngestToken, listIngestTokens } from "@/lib/auth/ingest-tokens";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { CreateTokenBody } from "@/lib/auth/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json({ items: await listIngestTokens() });
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    const admin = requireAdmin(request);
    const { name } = await parseJsonBody(request, CreateTokenBody, "JSON {name}");
    return Response.json(await createIngestToken(name, admin.username), {
      status: 201,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
