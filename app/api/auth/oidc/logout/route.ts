// GET /api/auth/oidc/logout – after logging out of an SSO session: 303 to the
// provider's end_session_endpoint (RP-initiated logout), which comes back to /login
import { endSsoSession, LOGIN_PATH } from "@/lib/auth/oidc";
import { clearedSsoLogoutCookie, isHttps } from "@/lib/auth/sessions";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
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

export const POST = methodNotAllowed("GET");
export const PUT = methodNotAllowed("GET");
export const PATCH = methodNotAllowed("GET");
export const DELETE = methodNotAllowed("GET");
