// GET /api/health – 200 when the database answers, 503 otherwise
import { checkHealth } from "@/lib/db/health";
import { errorResponse } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(): Promise<Response> {
  const ok = await checkHealth();
  return ok
    ? Response.json({ status: "ok" })
    : errorResponse("database_unavailable", "The database does not answer.");
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
