// POST /api/auth/login – open an operator session (sets HttpOnly session + CSRF cookies)
import { login } from "@/lib/auth/login";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    return await login(request);
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
