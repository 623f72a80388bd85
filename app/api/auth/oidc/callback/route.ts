// GET /api/auth/oidc/callback – the provider's answer: verify it, open a session, go on to `next`
import { finishOidcLogin } from "@/lib/auth/oidc";
import { landingResponse, oidcErrorResponse } from "@/lib/auth/oidc-http";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const { next, cookies } = await finishOidcLogin(request);
    return landingResponse(next, cookies);
  } catch (error) {
    return oidcErrorResponse(request, error);
  }
}

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
