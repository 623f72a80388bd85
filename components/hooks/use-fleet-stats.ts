"use client";

import { useQuery } from "@tanstack/react-query";
import type { Counts } from "@/lib/clients/schemas";
import type { HistoryRange, OnlineHistory } from "@/lib/stats/schemas";
import type { ReasonsHistory } from "@/lib/stats/reasons";
import { formatLabelFilter, type LabelFilter } from "@/contract/labels";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/**
 * Fleet counts; the stream's `summary` events overwrite them in place. With
 * `asOf`, the counts of that past moment, which nothing live touches.
 */
export function useSummaryQuery(asOf?: string) {
  return useQuery({
    queryKey: asOf === undefined ? queryKeys.summary() : queryKeys.summaryAsOf(asOf),
    queryFn: ({ signal }) =>
      fetchJson<Counts>(
        asOf === undefined
          ? "/api/stats/summary"
          : `/api/stats/summary?asOf=${encodeURIComponent(asOf)}`,
        { signal },
      ),
  });
}

/**
 * A history chart's data (of the clients carrying every label). History moves
 * slowly: a minute's staleness is fine, and the previous range stays shown
 * while the next loads.
 */
function useLabelledHistoryQuery<T>(
  key: readonly unknown[],
  path: string,
  range: HistoryRange,
  labels: readonly LabelFilter[],
) {
  const search = new URLSearchParams({ range });
  for (const f of labels) search.append("label", formatLabelFilter(f));
  return useQuery<T>({
    queryKey: [...key, search.getAll("label")],
    queryFn: ({ signal }) => fetchJson<T>(`${path}?${search}`, { signal }),
    refetchInterval: 60_000,
    placeholderData: (previous) => previous,
  });
}

/** Online clients over time. */
export function useOnlineHistoryQuery(range: HistoryRange, labels: readonly LabelFilter[] = []) {
  return useLabelledHistoryQuery<OnlineHistory>(
    queryKeys.onlineHistory(range),
    "/api/stats/online",
    range,
    labels,
  );
}

/** Disconnects per reason per hour (24 h) or day (7 days). */
export function useDisconnectReasonsQuery(
  range: HistoryRange,
  labels: readonly LabelFilter[] = [],
) {
  return useLabelledHistoryQuery<ReasonsHistory>(
    queryKeys.disconnectReasons(range),
    "/api/stats/reasons",
    range,
    labels,
  );
}
