/** Every React Query key of the UI, from one factory. */
export const queryKeys = {
  clients: (params: Record<string, string>) => ["clients", params] as const,
  client: (clientId: string) => ["client", clientId] as const,
};
