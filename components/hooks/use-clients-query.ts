"use client";

import { useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import type { ClientPage } from "@/lib/clients/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/** Filters of the fleet list, exactly as they appear in the URL and the API. */
export interface ClientListParams {
  q?: string;
  status?: "online" | "pending" | "offline";
  sort?: "clientId" | "lastChange";
  order?: "asc" | "desc";
}

/** Small first page: the first rows paint sooner; scrolling loads more. */
export const FIRST_PAGE_SIZE = 50;
export const NEXT_PAGE_SIZE = 200;

export function listParamsRecord(params: ClientListParams): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) if (value) record[key] = value;
  return record;
}

export type ClientPages = InfiniteData<ClientPage, string | null>;

/** The fleet list, page by page (keyset cursors), kept live by the stream. */
export function useClientsQuery(params: ClientListParams) {
  const record = listParamsRecord(params);
  return useInfiniteQuery({
    queryKey: queryKeys.clients(record),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = new URLSearchParams(record);
      search.set("limit", String(pageParam === null ? FIRST_PAGE_SIZE : NEXT_PAGE_SIZE));
      if (pageParam !== null) search.set("cursor", pageParam);
      return fetchJson<ClientPage>(`/api/clients?${search}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}
