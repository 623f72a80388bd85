"use client";

import { useQuery } from "@tanstack/react-query";
import type { AwsRuleDestination } from "@/lib/sources/aws-destinations";
import { fetchJson } from "./fetch-json";
import { queryKeys } from "./query-keys";

export interface AwsRuleDestinations {
  items: AwsRuleDestination[];
  autoConfirm: boolean;
}

/** AWS IoT rule destinations that sent their confirmation (admins only). */
export function useAwsRuleDestinationsQuery() {
  return useQuery({
    queryKey: queryKeys.awsRuleDestinations(),
    queryFn: ({ signal }) =>
      fetchJson<AwsRuleDestinations>("/api/admin/aws-rule-destinations", { signal }),
  });
}
