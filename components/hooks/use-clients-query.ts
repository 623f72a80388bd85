"use client";

import { keepPreviousData, useInfiniteQuery, type InfiniteData } from "@tanstack/react-query";
import type { ClientPage } from "@/lib/clients/schemas";
import {
  FIRST_PAGE_SIZE,
  listParamsRecord,
  NEXT_PAGE_SIZE,
  toSearchParams,
  type ClientListParams,
} from "@/contract/client-list";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

export type ClientPages = InfiniteData<ClientPage, string | null>;

/** The fleet list, page by page (keyset cursors), kept live by the stream. */
export function useClientsQuery(params: ClientListParams) {
  const record = listParamsRecord(params);
  return useInfiniteQuery({
    queryKey: queryKeys.clients(record),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = toSearchParams(record);
      search.set("limit", String(pageParam === null ? FIRST_PAGE_SIZE : NEXT_PAGE_SIZE));
      if (pageParam !== null) search.set("cursor", pageParam);
      return fetchJson<ClientPage>(`/api/clients?${search}`, { signal });
    },
    getNextPageParam: (last) => last.nextCursor,
    // While a new search or filter loads, the old rows stay (dimmed) instead of a skeleton flash.
    placeholderData: keepPreviousData,
  });
}
