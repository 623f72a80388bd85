// Pure updates of the cached fleet list from pushed client objects: the list
// stays correct for its filters and sort without refetching a single page.
import {
  compareClientIds,
  DEFAULT_SORT,
  defaultOrder,
  type ClientListParams,
} from "@/contract/client-list";
import type { ClientView } from "@/lib/clients/schemas";
import type { ClientPages } from "../hooks/use-clients-query";

/** Mirrors the API's filters: `q` is a case-sensitive substring (LIKE on the C collation). */
export function matchesFilters(client: ClientView, params: ClientListParams): boolean {
  if (params.q !== undefined && params.q !== "" && !client.clientId.includes(params.q))
    return false;
  if (params.status !== undefined && client.status !== params.status) return false;
  if (params.flapping !== undefined && client.flapping !== params.flapping) return false;
  if (params.source !== undefined && client.source !== params.source) return false;
  for (const { key, value } of params.label ?? []) {
    if (!Object.hasOwn(client.labels, key) || client.labels[key] !== value) return false;
  }
  return true;
}

/** Negative when `a` comes before `b` in the list's order (same keys as the API's keyset). */
export function compareForList(a: ClientView, b: ClientView, params: ClientListParams): number {
  const sort = params.sort ?? DEFAULT_SORT;
  const order = params.order ?? defaultOrder(sort);
  const byId = compareClientIds(a.clientId, b.clientId);
  let cmp = byId;
  if (sort === "lastChange") {
    const ta = Date.parse(a.lastEventAt);
    const tb = Date.parse(b.lastEventAt);
    cmp = ta !== tb ? ta - tb : byId;
  }
  return order === "asc" ? cmp : -cmp;
}

/**
 * Applies changed clients to one cached list. A client that no longer
 * matches leaves; one whose sort key moved is re-placed; a new match is
 * inserted only inside the loaded range (beyond it, a later page brings it).
 */
export function patchClientPages(
  data: ClientPages,
  params: ClientListParams,
  changed: readonly ClientView[],
): ClientPages {
  let pages = data.pages.map((p) => ({ ...p, items: p.items }));
  let touched = false;
  for (const client of changed) {
    let pageIndex = -1;
    let itemIndex = -1;
    for (let i = 0; i < pages.length && pageIndex < 0; i += 1) {
      const j = pages[i]!.items.findIndex((c) => c.clientId === client.clientId);
      if (j >= 0) {
        pageIndex = i;
        itemIndex = j;
      }
    }
    const matches = matchesFilters(client, params);
    if (pageIndex >= 0) {
      const page = pages[pageIndex]!;
      const old = page.items[itemIndex]!;
      if (matches && compareForList(old, client, params) === 0) {
        // Same place: replace in position (the common case).
        page.items = page.items.with(itemIndex, client);
        touched = true;
        continue;
      }
      page.items = page.items.toSpliced(itemIndex, 1);
      touched = true;
    }
    if (!matches) continue;
    pages = insertSorted(pages, client, params);
    touched = true;
  }
  return touched ? { ...data, pages } : data;
}

function insertSorted(pages: ClientPages["pages"], client: ClientView, params: ClientListParams) {
  const last = pages[pages.length - 1];
  if (last === undefined) return pages;
  for (const page of pages) {
    const j = page.items.findIndex((c) => compareForList(client, c, params) < 0);
    if (j >= 0) {
      page.items = page.items.toSpliced(j, 0, client);
      return pages;
    }
  }
  // After every loaded row: only if nothing more is to come.
  if (last.nextCursor === null) last.items = [...last.items, client];
  return pages;
}

/** The earliest pendingUntil among cached clients, in ms (null when none is pending). */
export function earliestPendingUntil(clients: Iterable<ClientView>): number | null {
  let earliest: number | null = null;
  for (const c of clients) {
    if (c.status !== "pending" || c.pendingUntil === null) continue;
    const t = Date.parse(c.pendingUntil);
    if (earliest === null || t < earliest) earliest = t;
  }
  return earliest;
}

/**
 * Status is computed at read time on the server; between reads the browser
 * applies the same rule: pending ends at pendingUntil, with no event needed.
 */
export function expirePending(client: ClientView, now: number): ClientView {
  if (client.status !== "pending" || client.pendingUntil === null) return client;
  if (Date.parse(client.pendingUntil) > now) return client;
  return { ...client, status: "offline", pendingUntil: null };
}
