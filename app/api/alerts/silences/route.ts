// GET/POST /api/alerts/silences – list silences (viewers), create one (admins; the author is the operator)
import { CreateSilenceBody } from "@/lib/alerts/schemas";
import { createSilence, listSilences } from "@/lib/alerts/silences";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin, requirePrincipal } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requirePrincipal(request);
    return Response.json(await listSilences());
  } catch (error) {
    return handleApiError(error);
  }
}

async function post(request: Request): Promise<Response> {
  try {
    const admin = requireAdmin(request);
    const body = await parseJsonBody(
      request,
      CreateSilenceBody,
      "JSON {selector?, ruleIds?, startsAt?, endsAt, reason}",
    );
    return Response.json(await createSilence(body, admin.username), { status: 201 });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get, POST: post });
