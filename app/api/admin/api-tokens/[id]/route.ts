// DELETE /api/admin/api-tokens/{id} – revoke an API token (admins only; audited)
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function remove(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    const admin = requireAdmin(request);
    return Response.json(await revokeApiToken((await params).id, admin.username));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ DELETE: remove });
