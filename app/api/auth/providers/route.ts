// GET /api/auth/providers – which ways to log in the login page offers (public)
import { loginProviders } from "@/lib/auth/oidc";
import { providersErrorResponse } from "@/lib/auth/oidc-http";

export const dynamic = "force-dynamic";

export function GET(): Response {
  try {
    return Response.json(loginProviders(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return providersErrorResponse(error);
  }
}
