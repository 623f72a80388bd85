// GET /api/incidents/{id} – one incident, a page of its clients, what they share and how fast they came back
import { handleApiError } from "@/lib/http/handle-error";
import { parseQuery } from "@/lib/clients/schemas";
import { getIncident } from "@/lib/incidents/read";
import { IncidentClientsQuery } from "@/lib/incidents/schemas";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  context: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    const { id } = await context.params;
    const query = parseQuery(IncidentClientsQuery, new URL(request.url).searchParams);
    return Response.json(await getIncident(id, query));
  } catch (error) {
    return handleApiError(error);
  }
}
