import type { ListParamsRecord } from "@/contract/client-list";

/** Every React Query key of the UI, from one factory. Prefixes let the stream patch or invalidate families. */
export const queryKeys = {
  clientsRoot: () => ["clients"] as const,
  clients: (params: ListParamsRecord) => ["clients", params] as const,
  client: (clientId: string) => ["client", clientId] as const,
  /** Everything under one device except its header: refetched when the device changes. */
  deviceRoot: (clientId: string) => ["device", clientId] as const,
  connections: (clientId: string, range: string) =>
    ["device", clientId, "connections", range] as const,
  events: (clientId: string) => ["device", clientId, "events"] as const,
  availability: (clientId: string, range: string) =>
    ["device", clientId, "availability", range] as const,
  availabilityReport: (params: Record<string, string | string[]>) =>
    ["availability-report", params] as const,
  subscriptions: (clientId: string) => ["device", clientId, "subscriptions"] as const,
  failures: (clientId: string) => ["device", clientId, "failures"] as const,
  summary: () => ["summary"] as const,
  /** Not under ["summary"] exactly: the stream's counts never overwrite a past moment's. */
  summaryAsOf: (asOf: string) => ["summary", "as-of", asOf] as const,
  onlineHistoryRoot: () => ["online-history"] as const,
  onlineHistory: (range: string) => ["online-history", range] as const,
  disconnectReasons: (range: string) => ["disconnect-reasons", range] as const,
  incidentsRoot: () => ["incidents"] as const,
  incidents: (params: Record<string, string>) => ["incidents", params] as const,
  incident: (id: string, cursor: string | null) => ["incident", id, cursor] as const,
  /** The logged-in operator. */
  me: () => ["me"] as const,
  operators: () => ["admin", "operators"] as const,
  ingestTokens: () => ["admin", "ingest-tokens"] as const,
  apiTokens: () => ["admin", "api-tokens"] as const,
  awsRuleDestinations: () => ["admin", "aws-rule-destinations"] as const,
  /** Everything about alerts: the stream's `alerts` event refetches the family. */
  alertsRoot: () => ["alerts"] as const,
  alerts: (params: Record<string, string>) => ["alerts", "list", params] as const,
  firingCount: () => ["alerts", "firing-count"] as const,
  alertRules: () => ["alerts", "rules"] as const,
  alertChannels: () => ["alerts", "channels"] as const,
  silences: () => ["alerts", "silences"] as const,
};
