// GET /api/clients/{clientId}/events – raw lifecycle events, newest first
import { handleApiError } from "@/lib/http/handle-error";
import { listEvents } from "@/lib/clients/events";
import { EventsQuery, parseQuery } from "@/lib/clients/schemas";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    const query = parseQuery(EventsQuery, new URL(request.url).searchParams);
    return Response.json(await listEvents(clientId, query));
  } catch (error) {
    return handleApiError(error);
  }
}
