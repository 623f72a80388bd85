// POST /api/auth/login – open an operator session (sets HttpOnly session + CSRF cookies)
import { login } from "@/lib/auth/login";
import { handleApiError } from "@/lib/http/handle-error";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    return await login(request);
  } catch (error) {
    return handleApiError(error);
  }
}

export const GET = methodNotAllowed("POST");
export const PUT = methodNotAllowed("POST");
export const PATCH = methodNotAllowed("POST");
export const DELETE = methodNotAllowed("POST");
