// POST /api/labels/import – set the labels of many clients from CSV or JSON, all or nothing (admins only)
import { requireAdmin } from "@/lib/auth/principal";
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { ImportRejected } from "@/lib/labels/import";
import { importLabels } from "@/lib/labels/client-labels";

export const dynamic = "force-dynamic";

async function post(request: Request): Promise<Response> {
  try {
    requireAdmin(request);
    const dryRun = new URL(request.url).searchParams.get("dryRun") === "true";
    return Response.json(await importLabels(request, dryRun));
  } catch (error) {
    if (error instanceof ImportRejected) return Response.json(error.body, { status: error.status });
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
