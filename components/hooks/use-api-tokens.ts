"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ApiTokenView, Role } from "@/lib/auth/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";
import { useItemsQuery } from "./use-items-query";

export function useApiTokensQuery() {
  return useItemsQuery<ApiTokenView>(queryKeys.apiTokens(), "/api/admin/api-tokens");
}

export interface NewApiToken {
  name: string;
  role: Role;
  expiresAt?: string;
}

/** The plaintext token is in this mutation's result only: the server keeps a hash. */
export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiToken) =>
      fetchJson<ApiTokenView & { token: string }>("/api/admin/api-tokens", {
        method: "POST",
        json: body,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      fetchJson<ApiTokenView>(`/api/admin/api-tokens/${encodeURIComponent(id)}`, {
        method: "DELETE",
      }),
    onSuccess: (revoked) => {
      queryClient.setQueryData<ApiTokenView[]>(queryKeys.apiTokens(), (list) =>
        list?.map((t) => (t.id === revoked.id ? revoked : t)),
      );
    },
  });
}
