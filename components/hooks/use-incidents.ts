"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { IncidentDetail, IncidentItem } from "@/lib/incidents/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/** Incidents overlapping a range (or one device's); detection runs every few seconds on the server. */
export function useIncidentsQuery(params: Record<string, string>, enabled = true) {
  return useQuery({
    queryKey: queryKeys.incidents(params),
    queryFn: ({ signal }) =>
      fetchJson<{ items: IncidentItem[] }>(`/api/incidents?${new URLSearchParams(params)}`, {
        signal,
      }),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useIncidentQuery(id: string, cursor: string | null) {
  const search = new URLSearchParams({ limit: "100" });
  if (cursor !== null) search.set("cursor", cursor);
  return useQuery({
    queryKey: queryKeys.incident(id, cursor),
    queryFn: ({ signal }) =>
      fetchJson<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}?${search}`, { signal }),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
}
