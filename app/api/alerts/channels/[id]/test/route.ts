// POST /api/alerts/channels/{id}/test – send a sample notification now; answers how it went (admins)
import { sendTest } from "@/lib/alerts/channel-store";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function post(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json(await sendTest((await params).id));
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
