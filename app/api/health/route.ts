// GET /api/health – 200 when the database answers, 503 otherwise
import { checkHealth } from "@/lib/db/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const ok = await checkHealth();
  return ok
    ? Response.json({ status: "ok" })
    : Response.json(
        { error: { code: "database_unavailable", message: "The database does not answer." } },
        { status: 503 },
      );
}
