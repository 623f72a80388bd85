// DELETE /api/admin/tokens/{id} – revoke an ingest token (admins only)
import { revokeIngestToken } from "@/lib/auth/ingest-tokens";
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

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

export const GET = methodNotAllowed("DELETE");
export const POST = methodNotAllowed("DELETE");
export const PUT = methodNotAllowed("DELETE");
export const PATCH = methodNotAllowed("DELETE");
