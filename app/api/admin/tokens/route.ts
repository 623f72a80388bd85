// GET/POST /api/admin/tokens – list ingest tokens, create one (shown once; admins only)
import { createIngestToken, listIngestTokens } from "@/lib/auth/ingest-tokens";
import { parseJsonBody } from "@/lib/auth/parse-json";
import { requireAdmin } from "@/lib/auth/principal";
import { CreateTokenBody } from "@/lib/auth/schemas";
import { handleApiError } from "@/lib/http/handle-error";
import { methodNotAllowed } from "@/lib/auth/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    return Response.json({ items: await listIngestTokens() });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const admin = requireAdmin(request);
    const { name } = await parseJsonBody(request, CreateTokenBody, "JSON {name}");
    return Response.json(await createIngestToken(name, admin.username), {
      status: 201,
      headers: { "Cache-Control": "no-store" },
    });
  } catch (error) {
    return handleApiError(error);
  }
}

export const PUT = methodNotAllowed("GET, POST");
export const PATCH = methodNotAllowed("GET, POST");
export const DELETE = methodNotAllowed("GET, POST");
