import type { HistoryRange } from "@/lib/stats/schemas";
import type { ClientListParams } from "../hooks/client-list-params";

const STATUSES = new Set(["online", "pending", "offline"]);

/** The fleet view's URL state, with anything unknown dropped rather than sent to the API. */
export function parseFleetParams(search: URLSearchParams): {
  filters: ClientListParams;
  chart: HistoryRange;
} {
  const status = search.get("status");
  const sort = search.get("sort");
  const order = search.get("order");
  const q = search.get("q");
  return {
    filters: {
      q: q ? q.slice(0, 128) : undefined,
      status:
        status !== null && STATUSES.has(status)
          ? (status as ClientListParams["status"])
          : undefined,
      sort: sort === "clientId" || sort === "lastChange" ? sort : undefined,
      order: order === "asc" || order === "desc" ? order : undefined,
    },
    chart: search.get("chart") === "7d" ? "7d" : "24h",
  };
}
