// GET /api/auth/providers – which ways to log in the login page offers (public)
import { loginProviders } from "@/lib/auth/oidc";
import { providersErrorResponse } from "@/lib/auth/oidc-http";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

function get(): Response {
  try {
    return Response.json(loginProviders(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return providersErrorResponse(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
