// GET /metrics – Prometheus text format, bearer METRICS_TOKEN
import { handleApiError } from "@/lib/http/handle-error";
import { routeMethods } from "@/lib/http/route-methods";
import { requireMetricsToken, scrapeMetrics } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

async function get(request: Request): Promise<Response> {
  try {
    await requireMetricsToken(request);
    return await scrapeMetrics();
  } catch (error) {
    return handleApiError(error);
  }
}

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ GET: get });
