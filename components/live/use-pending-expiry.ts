"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ClientView } from "@/lib/clients/schemas";
import { queryKeys } from "../hooks/query-keys";
import type { ClientListParams } from "@/contract/client-list";
import type { ClientPages } from "../hooks/use-clients-query";
import { earliestPendingUntil, expirePending, matchesFilters } from "./patch-clients";
import { serverNow } from "./server-clock";

/** Counts come from the server; after expiries refetch them, but not more often than this. */
const SUMMARY_REFRESH_MIN_MS = 2_000;

function cachedClients(queryClient: QueryClient): ClientView[] {
  const all: ClientView[] = [];
  for (const [, data] of queryClient.getQueriesData<ClientPages>({
    queryKey: queryKeys.clientsRoot(),
  })) {
    for (const page of data?.pages ?? []) all.push(...page.items);
  }
  for (const [, data] of queryClient.getQueriesData<ClientView>({ queryKey: ["client"] })) {
    if (data !== undefined) all.push(data);
  }
  return all;
}

function expireAll(queryClient: QueryClient, now: number): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey: queryKeys.clientsRoot() })) {
    const params = (query.queryKey[1] ?? {}) as ClientListParams;
    queryClient.setQueryData<ClientPages>(query.queryKey, (data) => {
      if (data === undefined) return data;
      let changed = false;
      const pages = data.pages.map((page) => {
        const items = page.items
          .map((c) => {
            const next = expirePending(c, now);
            if (next !== c) changed = true;
            return next;
          })
          // A "pending" filter stops listing a client that is now offline.
          .filter((c) => matchesFilters(c, params));
        return { ...page, items };
      });
      return changed ? { ...data, pages } : data;
    });
  }
  for (const [key, data] of queryClient.getQueriesData<ClientView>({ queryKey: ["client"] })) {
    if (data !== undefined && expirePending(data, now) !== data)
      queryClient.setQueryData(key, expirePending(data, now));
  }
}

/**
 * Turns `pending` into `offline` on screen when the grace period ends, with
 * no event and no reload: one timer, set for the earliest pendingUntil of
 * anything cached, re-armed whenever the cache changes.
 */
export function usePendingExpiry(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let armedFor: number | null = null;
    let lastSummaryRefresh = 0;
    let scheduled = false;

    const fire = () => {
      armedFor = null;
      expireAll(queryClient, serverNow());
      const now = Date.now();
      if (now - lastSummaryRefresh >= SUMMARY_REFRESH_MIN_MS) {
        lastSummaryRefresh = now;
        void queryClient.invalidateQueries({ queryKey: queryKeys.summary() });
      }
      arm();
    };

    const arm = () => {
      scheduled = false;
      const next = earliestPendingUntil(cachedClients(queryClient));
      if (next === armedFor) return;
      clearTimeout(timer);
      armedFor = next;
      if (next !== null) timer = setTimeout(fire, Math.max(0, next - serverNow()) + 20);
    };

    const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== "updated" || event.action.type !== "success" || scheduled) return;
      // Many updates may land in one tick: look once.
      scheduled = true;
      queueMicrotask(arm);
    });
    arm();
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [queryClient]);
}
