"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Labels } from "@/contract/labels";
import type { ClientView } from "@/lib/clients/schemas";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";
import { clientPath } from "./use-device-queries";

/** PUT /api/clients/{id}/labels: the device header and every list pick up the new labels. */
export function useSaveLabels(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (labels: Labels) =>
      fetchJson<{ labels: Labels }>(`${clientPath(clientId)}/labels`, {
        method: "PUT",
        json: { labels },
      }),
    onSuccess: ({ labels }) => {
      queryClient.setQueryData<ClientView>(queryKeys.client(clientId), (c) =>
        c === undefined ? c : { ...c, labels },
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.clientsRoot() });
    },
  });
}

export interface ImportAnswer {
  clients: number;
  labels: number;
  rejected: { line?: number; index?: number; error: string }[];
  preview?: {
    changedClients: number;
    added: number;
    changed: number;
    removed: number;
    items: { clientId: string; before: Labels; after: Labels }[];
  };
}

/** POST /api/labels/import, as a preview (dryRun) or for real. */
export async function postImport(
  body: string,
  type: "text/csv" | "application/json",
  dryRun: boolean,
): Promise<ImportAnswer> {
  return fetchJson<ImportAnswer>(`/api/labels/import${dryRun ? "?dryRun=true" : ""}`, {
    method: "POST",
    headers: { "Content-Type": type },
    body,
  });
}
