// PATCH/DELETE /api/alerts/rules/{id} – change or delete an alert rule (admins)
import { deleteRule, updateRule } from "@/lib/alerts/rules";
import { PatchRuleBody } from "@/lib/alerts/schemas";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

async function patch(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(request, PatchRuleBody, "JSON with the rule fields to change");
    return Response.json(await updateRule((await params).id, body));
  } catch (error) {
    return handleApiError(error);
  }
}

async function remove(request: Request, { params }: Params): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json(await deleteRule((await params).id));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ PATCH: patch, DELETE: remove });
