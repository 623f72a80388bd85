// GET /api/incidents – incidents overlapping a time range, newest first
import { handleApiError } from "@/lib/http/handle-error";
import { parseQuery } from "@/lib/clients/schemas";
import { listIncidents } from "@/lib/incidents/read";
import { ListIncidentsQuery } from "@/lib/incidents/schemas";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const query = parseQuery(ListIncidentsQuery, new URL(request.url).searchParams);
    return Response.json(await listIncidents(query));
  } catch (error) {
    return handleApiError(error);
  }
}
