// GET /api/clients/{clientId} – one client's status, session and subscriptions
import { handleApiError } from "@/lib/http/handle-error";
import { getClient } from "@/lib/clients/get";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  _request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    return Response.json(await getClient(clientId));
  } catch (error) {
    return handleApiError(error);
  }
}
