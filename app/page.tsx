import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { Suspense } from "react";
import { FleetPage } from "@/components/fleet/FleetPage";
import { parseFleetParams } from "@/components/fleet/fleet-params";
import { FIRST_PAGE_SIZE, listParamsRecord, toSearchParams } from "@/contract/client-list";
import { queryKeys } from "@/components/hooks/query-keys";
import { readFirstPage } from "@/lib/clients/first-page";
import { ListClientsQuery, parseQuery } from "@/lib/clients/schemas";

export const dynamic = "force-dynamic";

/** Past this the page renders without rows and the browser fetches them; a slow database must not stall the shell. */
const PREFETCH_BUDGET_MS = 700;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The first page of the table and the counts are read here and streamed
 * with the HTML, so rows paint before any script runs; the browser's React
 * Query cache starts from them and the stream keeps them live.
 */
async function prefetch(search: URLSearchParams): Promise<QueryClient> {
  const queryClient = new QueryClient();
  const record = listParamsRecord(parseFleetParams(search).filters);
  const load = async () => {
    const search = toSearchParams(record);
    search.set("limit", String(FIRST_PAGE_SIZE));
    const query = parseQuery(ListClientsQuery, search);
    // The summary cards count the whole fleet; a filtered page's counts are not that.
    const filtered = record.q !== undefined || record.label !== undefined;
    const { page, summary } = await readFirstPage(query, filtered, PREFETCH_BUDGET_MS);
    queryClient.setQueryData(queryKeys.clients(record), { pages: [page], pageParams: [null] });
    queryClient.setQueryData(queryKeys.summary(), summary);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, PREFETCH_BUDGET_MS)));
  // Any failure (database down) leaves the cache empty: the browser then shows the error banner.
  await Promise.race([load().catch(() => {}), budget]);
  clearTimeout(timer);
  return queryClient;
}

export default async function Home({ searchParams }: Props) {
  const queryClient = await prefetch(toSearchParams(await searchParams));
  return (
    <HydrationBoundary state={dehydrate(queryClient)}>
      <Suspense>
        <FleetPage />
      </Suspense>
    </HydrationBoundary>
  );
}
