import { parseClientListParams, type ClientListParams } from "@/contract/client-list";
import type { HistoryRange } from "@/lib/stats/schemas";

/** The fleet view's URL state: the list's filters (see the contract) and the chart's range. */
export function parseFleetParams(search: URLSearchParams): {
  filters: ClientListParams;
  chart: HistoryRange;
} {
  return {
    filters: parseClientListParams(search),
    chart: search.get("chart") === "7d" ? "7d" : "24h",
  };
}
