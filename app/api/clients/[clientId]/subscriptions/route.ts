// GET /api/clients/{clientId}/subscriptions – current topics (session-aware), per-topic state and history
import { handleApiError } from "@/lib/http/handle-error";
import { listSubscriptions } from "@/lib/clients/subscriptions";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    return Response.json(await listSubscriptions(clientId));
  } catch (error) {
    return handleApiError(error);
  }
}
