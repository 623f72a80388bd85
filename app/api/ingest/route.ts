// POST /api/ingest – store a batch of AWS IoT lifecycle events
import { ingestMaxBytes } from "@/lib/config";
import { requireIngestToken } from "@/lib/http/auth";
import { readBodyText } from "@/lib/http/body";
import { handleApiError } from "@/lib/http/handle-error";
import { ingest } from "@/lib/ingest";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    await requireIngestToken(request);
    const text = await readBodyText(request, ingestMaxBytes());
    return Response.json(await ingest(text));
  } catch (error) {
    return handleApiError(error);
  }
}
