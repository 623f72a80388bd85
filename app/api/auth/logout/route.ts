// POST /api/auth/logout – revoke this session server-side and clear the cookies
import {
  clearedCookies,
  isHttps,
  readCookie,
  revokeSession,
  SESSION_COOKIE,
} from "@/lib/auth/sessions";
import { handleApiError } from "@/lib/http/handle-error";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    await revokeSession(readCookie(request, SESSION_COOKIE));
    const headers = new Headers({ "Cache-Control": "no-store" });
    for (const cookie of clearedCookies(isHttps(request))) headers.append("Set-Cookie", cookie);
    return new Response(null, { status: 204, headers });
  } catch (error) {
    return handleApiError(error);
  }
}
