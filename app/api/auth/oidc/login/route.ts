// GET /api/auth/oidc/login?next=/path – start single sign-on: 302 to the OpenID Connect provider
import { startOidcLogin } from "@/lib/auth/oidc";
import { oidcErrorResponse } from "@/lib/auth/oidc-http";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
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

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
