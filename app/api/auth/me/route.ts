// GET /api/auth/me – who is logged in (and the CSRF token the UI sends on writes)
import { requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
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

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
