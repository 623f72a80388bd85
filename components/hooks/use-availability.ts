"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { AvailabilityReportPage, ClientAvailabilityView } from "@/lib/availability/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";
import { clientPath, rangeSearch } from "./use-device-queries";

/** One device over the page's range (computed at fetch time, like the timeline's). */
export function useDeviceAvailabilityQuery(
  clientId: string,
  range: string,
  bounds: () => { from: number; to: number },
) {
  return useQuery({
    queryKey: queryKeys.availability(clientId, range),
    queryFn: ({ signal }) => {
      const { from, to } = bounds();
      const search = rangeSearch(from, to);
      return fetchJson<ClientAvailabilityView>(`${clientPath(clientId)}/availability?${search}`, {
        signal,
      });
    },
    placeholderData: (previous) => previous,
  });
}

/** The fleet report, page by page (`params` without cursor). */
export function useAvailabilityReportQuery(params: Record<string, string | string[]>) {
  return useInfiniteQuery({
    queryKey: queryKeys.availabilityReport(params),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = reportSearch(params);
      if (pageParam !== null) search.set("cursor", pageParam);
      return fetchJson<AvailabilityReportPage>(`/api/reports/availability?${search}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function reportSearch(params: Record<string, string | string[]>): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  return search;
}
