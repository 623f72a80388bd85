// GET /api/auth/providers – which ways to log in the login page offers (public)
import { loginProviders } from "@/lib/auth/oidc";
import { providersErrorResponse } from "@/lib/auth/oidc-http";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export function GET(): Response {
  try {
    return Response.json(loginProviders(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return providersErrorResponse(error);
  }
}

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
