// GET /api/clients/{clientId}/connections – connection timeline, oldest first
import { handleApiError } from "@/lib/http/handle-error";
import { listConnections } from "@/lib/clients/connections";
import { parseQuery, RangeQuery } from "@/lib/clients/schemas";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    const range = parseQuery(RangeQuery, new URL(request.url).searchParams);
    return Response.json({ items: await listConnections(clientId, range) });
  } catch (error) {
    return handleApiError(error);
  }
}
