// Shared by the server shell (which prefetches the first page) and the browser hooks: no "use client".

/** Filters of the fleet list, exactly as they appear in the URL and the API. */
export interface ClientListParams {
  q?: string;
  status?: "online" | "pending" | "offline";
  sort?: "clientId" | "lastChange";
  order?: "asc" | "desc";
}

/** Small first page: the first rows paint sooner; scrolling loads more. */
export const FIRST_PAGE_SIZE = 50;
export const NEXT_PAGE_SIZE = 200;

/** The query-key and URL form: only the filters that are set. */
export function listParamsRecord(params: ClientListParams): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) if (value) record[key] = value;
  return record;
}
