// POST /api/auth/login – open an operator session (sets HttpOnly session + CSRF cookies)
import { login } from "@/lib/auth/login";
import { handleApiError } from "@/lib/http/handle-error";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    const { body, cookies } = await login(request);
    const headers = new Headers({ "Cache-Control": "no-store" });
    for (const cookie of cookies) headers.append("Set-Cookie", cookie);
    return Response.json(body, { headers });
  } catch (error) {
    return handleApiError(error);
  }
}
