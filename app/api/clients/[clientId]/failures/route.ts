// GET /api/clients/{clientId}/failures – refused connection attempts (connect_failed), newest first
import { handleApiError } from "@/lib/http/handle-error";
import { listFailures } from "@/lib/clients/failures";
import { FailuresQuery, parseQuery } from "@/lib/clients/schemas";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    const query = parseQuery(FailuresQuery, new URL(request.url).searchParams);
    return Response.json(await listFailures(clientId, query));
  } catch (error) {
    return handleApiError(error);
  }
}
