"use client";

import { useQuery, type QueryKey } from "@tanstack/react-query";
import { fetchJson } from "./fetch-json";

/** A list the API answers as `{ items }` (operators, tokens, alert settings): the query's data is the items. */
export function useItemsQuery<T>(queryKey: QueryKey, path: string) {
  return useQuery({
    queryKey,
    queryFn: async ({ signal }) => (await fetchJson<{ items: T[] }>(path, { signal })).items,
  });
}
