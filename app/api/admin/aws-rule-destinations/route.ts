// GET /api/admin/aws-rule-destinations – AWS IoT rule destinations awaiting confirmation (admins only)
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { autoConfirmEnabled, listDestinations } from "@/lib/sources/aws-destinations";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json({ items: await listDestinations(), autoConfirm: autoConfirmEnabled() });
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
