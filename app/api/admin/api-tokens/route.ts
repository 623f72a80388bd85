// GET/POST /api/admin/api-tokens – list API tokens, create one (shown once; admins only)
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { CreateApiTokenBody } from "@/lib/auth/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json({ items: await listApiTokens() });
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    const admin = requireAdmin(request);
    const body = await parseJsonBody(request, CreateApiTokenBody, "JSON {name, role, expiresAt?}");
    return Response.json(await createApiToken(body, admin.username), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
