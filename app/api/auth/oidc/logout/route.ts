// GET /api/auth/oidc/logout – after logging out of an SSO session: 303 to the
// provider's end_session_endpoint (RP-initiated logout), which comes back to /login
import { endSsoSession, LOGIN_PATH } from "@/lib/auth/oidc";
import { clearedSsoLogoutCookie, isHttps } from "@/lib/auth/sessions";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  let location = LOGIN_PATH;
  let cookies = [clearedSsoLogoutCookie(isHttps(request))];
  try {
    ({ location, cookies } = await endSsoSession(request));
  } catch (error) {
    // The local session is gone already; the provider's stays (it expires on its own).
    console.warn("SSO logout at the provider failed", error);
  }
  const headers = new Headers({ Location: location, "Cache-Control": "no-store" });
  for (const cookie of cookies) headers.append("Set-Cookie", cookie);
  return new Response(null, { status: 303, headers });
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get }, { getWrites: true });
