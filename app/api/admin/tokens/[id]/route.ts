// DELETE /api/admin/tokens/{id} – revoke an ingest token (admins only)
import { revokeIngestToken } from "@/lib/auth/ingest-tokens";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";

export const dynamic = "force-dynamic";

export async function DELETE(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json(await revokeIngestToken((await params).id));
  } catch (error) {
    return handleApiError(error);
  }
}
