"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { EventView } from "@/lib/clients/events";
import type {
  ClientView,
  ConnectionView,
  FailuresView,
  SubscriptionsView,
} from "@/lib/clients/schemas";
import { clientIdSegment } from "@/contract/client-id-segment";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

/** Client IDs may hold `/`, spaces or any Unicode: always one encoded path segment (`.`/`..` escaped). */
export function clientPath(clientId: string): string {
  return `/api/clients/${clientIdSegment(clientId)}`;
}

export function useClientQuery(clientId: string) {
  return useQuery({
    queryKey: queryKeys.client(clientId),
    queryFn: ({ signal }) => fetchJson<ClientView>(clientPath(clientId), { signal }),
  });
}

/** A time range as the API's `from` and `to` query parameters. */
export function rangeSearch(from: number, to: number): URLSearchParams {
  return new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
}

/** `range` is the URL's range key; the instants are computed at fetch time so "last 24 h" stays current. */
export function useConnectionsQuery(
  clientId: string,
  range: string,
  bounds: () => { from: number; to: number },
) {
  return useQuery({
    queryKey: queryKeys.connections(clientId, range),
    queryFn: async ({ signal }) => {
      const { from, to } = bounds();
      const search = rangeSearch(from, to);
      const body = await fetchJson<{ items: ConnectionView[] }>(
        `${clientPath(clientId)}/connections?${search}`,
        {
          signal,
        },
      );
      return { from, to, items: body.items };
    },
    placeholderData: (previous) => previous,
  });
}

const EVENTS_PAGE = 50;

export function useEventsQuery(clientId: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.events(clientId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = new URLSearchParams({ limit: String(EVENTS_PAGE) });
      if (pageParam !== null) search.set("cursor", pageParam);
      return fetchJson<{ items: EventView[]; nextCursor: string | null }>(
        `${clientPath(clientId)}/events?${search}`,
        {
          signal,
        },
      );
    },
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useSubscriptionsQuery(clientId: string) {
  return useQuery({
    queryKey: queryKeys.subscriptions(clientId),
    queryFn: ({ signal }) =>
      fetchJson<SubscriptionsView>(`${clientPath(clientId)}/subscriptions`, { signal }),
  });
}

export function useFailuresQuery(clientId: string) {
  return useQuery({
    queryKey: queryKeys.failures(clientId),
    queryFn: ({ signal }) =>
      fetchJson<FailuresView>(`${clientPath(clientId)}/failures?limit=100`, { signal }),
  });
}
