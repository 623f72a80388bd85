// GET /api/auth/oidc/callback – the provider's answer: verify it, open a session, go on to `next`
import { finishOidcLogin } from "@/lib/auth/oidc";
import { landingResponse, oidcErrorResponse } from "@/lib/auth/oidc-http";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    const { next, cookies } = await finishOidcLogin(request);
    return landingResponse(next, cookies);
  } catch (error) {
    return oidcErrorResponse(request, error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get }, { getWrites: true });
