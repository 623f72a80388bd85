// GET/POST /api/alerts/rules – list alert rules (viewers), create one (admins)
import { createRule, listRules } from "@/lib/alerts/rules";
import { CreateRuleBody } from "@/lib/alerts/schemas";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin, requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requirePrincipal(request);
    return Response.json(await listRules());
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    const body = await parseJsonBody(
      request,
      CreateRuleBody,
      "JSON {name, kind, selector?, forSeconds?, threshold?, thresholdShare?, windowSeconds?, channelIds?}",
    );
    return Response.json(await createRule(body), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
