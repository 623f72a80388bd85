"use client";

import { useQuery } from "@tanstack/react-query";
import type { ClientPage } from "@/lib/clients/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

export function useClientsQuery(params: Record<string, string>) {
  const search = new URLSearchParams(params).toString();
  return useQuery({
    queryKey: queryKeys.clients(params),
    queryFn: () => fetchJson<ClientPage>(`/api/clients?${search}`),
    refetchInterval: 5_000,
  });
}
