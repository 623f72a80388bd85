// GET /api/stats/summary – fleet counts by status, plus flapping (what the stream's `summary` carries)
import { handleApiError } from "@/lib/http/handle-error";
import { countClients } from "@/lib/clients/list";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    return Response.json(await countClients(undefined));
  } catch (error) {
    return handleApiError(error);
  }
}
