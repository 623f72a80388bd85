// GET /api/clients/{clientId}/connections.csv – one client's timeline as a CSV attachment
import { handleApiError } from "@/lib/http/handle-error";
import { requireClient } from "@/lib/clients/get";
import { parseQuery, RangeQuery } from "@/lib/clients/schemas";
import { clientConnectionsCsv, csvFileName, csvResponse } from "@/lib/export/connections-csv";
import { clientIdFromSegment } from "@/lib/clients/client-id-segment";

export const dynamic = "force-dynamic";

export async function GET(
  request: Request,
  { params }: { params: Promise<{ clientId: string }> },
): Promise<Response> {
  try {
    const clientId = clientIdFromSegment((await params).clientId);
    const range = parseQuery(RangeQuery, new URL(request.url).searchParams);
    await requireClient(clientId);
    return csvResponse(await clientConnectionsCsv(clientId, range), csvFileName(clientId));
  } catch (error) {
    return handleApiError(error);
  }
}
