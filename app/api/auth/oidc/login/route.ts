// GET /api/auth/oidc/login?next=/path – start single sign-on: 302 to the OpenID Connect provider
import { startOidcLogin } from "@/lib/auth/oidc";
import { oidcErrorResponse } from "@/lib/auth/oidc-http";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const { location, cookie } = await startOidcLogin(request);
    return new Response(null, {
      status: 302,
      headers: { Location: location, "Set-Cookie": cookie, "Cache-Control": "no-store" },
    });
  } catch (error) {
    return oidcErrorResponse(request, error);
  }
}

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
