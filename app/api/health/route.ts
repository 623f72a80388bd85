// GET /api/health – 200 when the database answers, 503 otherwise
import { checkHealth } from "@/lib/db/health";
import { routeMethods } from "@/lib/http/route-methods";

export const dynamic = "force-dynamic";

async function get(): Promise<Response> {
  const ok = await checkHealth();
  return ok
    ? Response.json({ status: "ok" })
    : Response.json(
        { error: { code: "database_unavailable", message: "The database does not answer." } },
        { status: 503 },
      );
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
