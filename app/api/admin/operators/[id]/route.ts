// PATCH/DELETE /api/admin/operators/{id} – change role, disable, reset password, delete (admins only)
import { deleteOperator, updateOperator } from "@/lib/auth/operators";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { UpdateOperatorBody } from "@/lib/auth/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

async function patch(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(
      request,
      UpdateOperatorBody,
      "JSON {role?, disabled?, password?}",
    );
    return Response.json(await updateOperator((await params).id, body));
  } catch (error) {
    return handleApiError(error);
  }
}

async function remove(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    await deleteOperator((await params).id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
