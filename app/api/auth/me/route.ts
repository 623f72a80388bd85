// GET /api/auth/me – who is logged in (and the CSRF token the UI sends on writes)
import { requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const { username, role, csrfToken } = requirePrincipal(request);
    return Response.json(
      { username, role, csrfToken },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
