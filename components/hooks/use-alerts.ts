"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ChannelView, TestResult } from "@/lib/alerts/channel-store";
import type { AlertView } from "@/lib/alerts/list";
import type { RuleView } from "@/lib/alerts/rules";
import type { SilenceView } from "@/lib/alerts/silences";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";
import { useItemsQuery } from "./use-items-query";

export type { AlertView, ChannelView, RuleView, SilenceView, TestResult };

interface AlertPage {
  items: AlertView[];
  nextCursor: string | null;
  counts: { firing: number };
}

export function useAlertsQuery(params: {
  state?: "firing" | "resolved";
  clientId?: string;
  limit?: number;
}) {
  const search = new URLSearchParams();
  if (params.state) search.set("state", params.state);
  if (params.clientId) search.set("clientId", params.clientId);
  search.set("limit", String(params.limit ?? 50));
  const key = Object.fromEntries(search);
  return useQuery({
    queryKey: queryKeys.alerts(key),
    queryFn: ({ signal }) => fetchJson<AlertPage>(`/api/alerts?${search}`, { signal }),
  });
}

/** The bell's number: firing alerts that are not silenced. */
export function useFiringCount() {
  return useQuery({
    queryKey: queryKeys.firingCount(),
    queryFn: async ({ signal }) =>
      (await fetchJson<AlertPage>("/api/alerts?state=firing&limit=1", { signal })).counts.firing,
  });
}

export function useRulesQuery() {
  return useItemsQuery<RuleView>(queryKeys.alertRules(), "/api/alerts/rules");
}

export function useChannelsQuery() {
  return useItemsQuery<ChannelView>(queryKeys.alertChannels(), "/api/alerts/channels");
}

export function useSilencesQuery() {
  return useItemsQuery<SilenceView>(queryKeys.silences(), "/api/alerts/silences");
}

/** A write under /api/alerts that refreshes everything about alerts when it succeeds. */
function useAlertsWrite<In, Out>(request: (input: In) => Promise<Out>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.alertsRoot() }),
  });
}

export type RuleInput = Omit<RuleView, "id" | "createdAt" | "updatedAt">;

export const useCreateRule = () =>
  useAlertsWrite((body: RuleInput) =>
    fetchJson<RuleView>("/api/alerts/rules", { method: "POST", json: body }),
  );
export const useUpdateRule = () =>
  useAlertsWrite(({ id, change }: { id: string; change: Partial<RuleInput> }) =>
    fetchJson<RuleView>(`/api/alerts/rules/${encodeURIComponent(id)}`, {
      method: "PATCH",
      json: change,
    }),
  );
export const useDeleteRule = () =>
  useAlertsWrite((id: string) =>
    fetchJson(`/api/alerts/rules/${encodeURIComponent(id)}`, { method: "DELETE" }),
  );

export interface ChannelInput {
  name: string;
  type: ChannelView["type"];
  url?: string;
  secret?: string;
  to?: string;
}
export const useCreateChannel = () =>
  useAlertsWrite((body: ChannelInput) =>
    fetchJson<ChannelView & { secret: string | null }>("/api/alerts/channels", {
      method: "POST",
      json: body,
    }),
  );
export const useDeleteChannel = () =>
  useAlertsWrite((id: string) =>
    fetchJson(`/api/alerts/channels/${encodeURIComponent(id)}`, { method: "DELETE" }),
  );
export const useTestChannel = () =>
  useMutation({
    mutationFn: (id: string) =>
      fetchJson<TestResult>(`/api/alerts/channels/${encodeURIComponent(id)}/test`, {
        method: "POST",
      }),
  });

export interface SilenceInput {
  selector?: { clientIdPattern?: string; labels?: Record<string, string> };
  ruleIds?: string[];
  startsAt?: string;
  endsAt: string;
  reason: string;
}
export const useCreateSilence = () =>
  useAlertsWrite((body: SilenceInput) =>
    fetchJson<SilenceView>("/api/alerts/silences", { method: "POST", json: body }),
  );
export const useEndSilence = () =>
  useAlertsWrite((id: string) =>
    fetchJson(`/api/alerts/silences/${encodeURIComponent(id)}`, { method: "DELETE" }),
  );
