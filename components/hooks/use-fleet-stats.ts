"use client";

import { useQuery } from "@tanstack/react-query";
import type { Counts } from "@/lib/clients/schemas";
import type { HistoryRange, OnlineHistory } from "@/lib/stats/schemas";
import type { ReasonsHistory } from "@/lib/stats/reasons";
import { formatLabelFilter, type LabelFilter } from "@/contract/labels";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/** Fleet counts; the stream's `summary` events overwrite them in place. */
export function useSummaryQuery() {
  return useQuery({
    queryKey: queryKeys.summary(),
    queryFn: ({ signal }) => fetchJson<Counts>("/api/stats/summary", { signal }),
  });
}

/** Online clients over time (of the clients carrying every label). History moves slowly: a minute's staleness is fine. */
export function useOnlineHistoryQuery(range: HistoryRange, labels: readonly LabelFilter[] = []) {
  const search = new URLSearchParams({ range });
  for (const f of labels) search.append("label", formatLabelFilter(f));
  return useQuery({
    queryKey: [...queryKeys.onlineHistory(range), search.getAll("label")],
    queryFn: ({ signal }) => fetchJson<OnlineHistory>(`/api/stats/online?${search}`, { signal }),
    refetchInterval: 60_000,
    placeholderData: (previous) => previous,
  });
}

/** Disconnects per reason per hour (24 h) or day (7 days). */
export function useDisconnectReasonsQuery(range: HistoryRange) {
  return useQuery({
    queryKey: queryKeys.disconnectReasons(range),
    queryFn: ({ signal }) =>
      fetchJson<ReasonsHistory>(`/api/stats/reasons?range=${range}`, { signal }),
    refetchInterval: 60_000,
    placeholderData: (previous) => previous,
  });
}
