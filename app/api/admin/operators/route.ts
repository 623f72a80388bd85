// GET/POST /api/admin/operators – list operator accounts, create one (admins only)
import { createOperator, listOperators } from "@/lib/auth/operators";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { CreateOperatorBody } from "@/lib/auth/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json({ items: await listOperators() });
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(
      request,
      CreateOperatorBody,
      "JSON {username, password, role}",
    );
    return Response.json(await createOperator(body), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
