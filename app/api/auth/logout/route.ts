// POST /api/auth/logout – revoke this session server-side and clear the cookies.
// After an SSO login it also hands the next page a way to end the provider's
// session (RP-initiated logout, GET /api/auth/oidc/logout).
import {
  clearedCookies,
  isHttps,
  readCookie,
  revokeSession,
  SESSION_COOKIE,
  ssoLogoutCookie,
} from "@/lib/auth/sessions";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    const token = readCookie(request, SESSION_COOKIE);
    const { sso } = await revokeSession(token);
    const secure = isHttps(request);
    const headers = new Headers({ "Cache-Control": "no-store" });
    for (const cookie of clearedCookies(secure)) headers.append("Set-Cookie", cookie);
    if (sso && token !== undefined) headers.append("Set-Cookie", ssoLogoutCookie(token, secure));
    return new Response(null, { status: 204, headers });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
