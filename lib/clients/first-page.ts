// The fleet page's server-side prefetch (app/page.tsx): its first rows and
// counts, read within a budget so a slow database does not stall the shell.
import "server-only";
import { withReadScope } from "../db/request-reads";
import { listClients, liveFleetCounts } from "./list";
import type { ClientPage, Counts, ListClientsQuery } from "./schemas";

/**
 * The first page and the summary counts (the whole fleet's when
 * `fleetCounts`, else the page's own). Reads still running at `budgetMs`
 * are cancelled in PostgreSQL, not left to finish for nobody: the page
 * renders without them and the browser fetches its rows itself.
 */
export function readFirstPage(
  query: ListClientsQuery,
  fleetCounts: boolean,
  budgetMs: number,
): Promise<{ page: ClientPage; summary: Counts }> {
  const scope = { what: "the fleet page's prefetch", timeoutMs: budgetMs, limit: "its budget" };
  return withReadScope(scope, async () => {
    const [page, summary] = await Promise.all([
      listClients(query),
      fleetCounts ? liveFleetCounts() : null,
    ]);
    return { page, summary: summary ?? page.counts };
  });
}
