"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { IngestTokenView, OperatorView, Role } from "@/lib/auth/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";
import { useItemsQuery } from "./use-items-query";

const operatorPath = (id: string) => `/api/admin/operators/${encodeURIComponent(id)}`;
const tokenPath = (id: string) => `/api/admin/tokens/${encodeURIComponent(id)}`;

export function useOperatorsQuery() {
  return useItemsQuery<OperatorView>(queryKeys.operators(), "/api/admin/operators");
}

export interface NewOperator {
  username: string;
  password: string;
  role: Role;
}

export function useCreateOperator() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewOperator) =>
      fetchJson<OperatorView>("/api/admin/operators", { method: "POST", json: body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.operators() }),
  });
}

export interface OperatorChange {
  role?: Role;
  disabled?: boolean;
  password?: string;
}

export function useUpdateOperator() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: OperatorChange }) =>
      fetchJson<OperatorView>(operatorPath(id), { method: "PATCH", json: change }),
    onSuccess: (updated) => {
      queryClient.setQueryData<OperatorView[]>(queryKeys.operators(), (list) =>
        list?.map((o) => (o.id === updated.id ? updated : o)),
      );
    },
  });
}

export function useDeleteOperator() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson<void>(operatorPath(id), { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.operators() }),
  });
}

export function useIngestTokensQuery() {
  return useItemsQuery<IngestTokenView>(queryKeys.ingestTokens(), "/api/admin/tokens");
}

/** The plaintext token is in this mutation's result only: the server keeps a hash. */
export function useCreateIngestToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      fetchJson<{ token: string; info: IngestTokenView }>("/api/admin/tokens", {
        method: "POST",
        json: { name },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.ingestTokens() }),
  });
}

export function useRevokeIngestToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => fetchJson<IngestTokenView>(tokenPath(id), { method: "DELETE" }),
    onSuccess: (revoked) => {
      queryClient.setQueryData<IngestTokenView[]>(queryKeys.ingestTokens(), (list) =>
        list?.map((t) => (t.id === revoked.id ? revoked : t)),
      );
    },
  });
}
