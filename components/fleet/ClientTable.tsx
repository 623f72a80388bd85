"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  type KeyboardEvent,
} from "react";
import type { ClientView, Counts } from "@/lib/clients/schemas";
import {
  DEFAULT_SORT,
  defaultOrder,
  type ClientListParams,
  type Sort,
} from "@/contract/client-list";
import type { useClientsQuery } from "../hooks/use-clients-query";
import { formatCount } from "../format/number";
import { SOURCE_LABELS } from "@/contract/sources";
import { useHydrated } from "../hooks/use-hydrated";
import { Skeleton } from "../ui/Skeleton";
import { ClientRow, GRID, ROW_HEIGHT } from "./ClientRow";

/** Rows ahead of the viewport at which the next page is requested. */
const PREFETCH_ROWS = 40;
/** Rows used to anchor the scroll position; several, since one of them may itself have moved. */
const ANCHOR_ROWS = 5;

/** The most common value: the shift shared by the anchors that did not move themselves. */
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) [best, bestCount] = [v, c];
  }
  return best;
}

/**
 * Live updates insert and move rows above what the operator is reading; this
 * keeps the rows on screen still by scrolling by the same number of rows.
 * At the very top nothing is held: new changes come into view.
 */
function useScrollAnchor(rows: ClientView[]) {
  const scroller = useRef<HTMLDivElement>(null);
  const anchors = useRef<{ key: string; index: number }[]>([]);
  const record = useCallback(() => {
    const el = scroller.current;
    if (el === null) return;
    const first = Math.floor(el.scrollTop / ROW_HEIGHT);
    anchors.current = rows
      .slice(first, first + ANCHOR_ROWS)
      .map((r, i) => ({ key: r.clientId, index: first + i }));
  }, [rows]);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el !== null && el.scrollTop > 0 && anchors.current.length > 0) {
      const indexOf = new Map(rows.map((r, i) => [r.clientId, i]));
      const shifts = anchors.current.flatMap((a) => {
        const now = indexOf.get(a.key);
        return now === undefined ? [] : [now - a.index];
      });
      const shift = mode(shifts);
      if (shift !== 0) el.scrollTop += shift * ROW_HEIGHT;
    }
    // record() reads this render's rows through its closure.
    record();
  }, [rows, record]);
  return { scroller, record };
}

/** How many clients match the filters, from the page's counts; null where they do not tell (status and flapping both set, or a source). */
function matchingCount(counts: Counts, filters: ClientListParams): number | null {
  // The counts are not split by source.
  if (filters.source !== undefined) return null;
  if (filters.flapping === undefined) {
    if (filters.status === "never_seen") return counts.neverSeen;
    return filters.status ? counts[filters.status] : counts.total + counts.neverSeen;
  }
  if (filters.status !== undefined) return null;
  return filters.flapping ? counts.flapping : counts.total + counts.neverSeen - counts.flapping;
}

/** Sorting by `sort`: its default order first, the other one when it is already sorted so. */
function sortPatch(sort: Sort, current: "asc" | "desc" | undefined) {
  const order = current === undefined ? defaultOrder(sort) : current === "asc" ? "desc" : "asc";
  return {
    sort: sort === DEFAULT_SORT ? undefined : sort,
    order: order === defaultOrder(sort) ? undefined : order,
  };
}

type SortState = "ascending" | "descending" | "none";

function HeaderCell({
  children,
  className = "",
  sort,
  onSort,
}: {
  children: string;
  className?: string;
  sort?: SortState;
  /** Makes the header a button that sorts by this column (again: the other way round). */
  onSort?: () => void;
}) {
  return (
    <div role="columnheader" aria-sort={sort} className={`truncate px-3 py-2 ${className}`}>
      {onSort ? (
        <button
          type="button"
          onClick={onSort}
          title={`Sort by ${children.toLowerCase()}`}
          className="inline-flex items-center gap-1 rounded uppercase tracking-wide hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:hover:text-white"
        >
          {children}
          <span aria-hidden className="text-[10px]">
            {sort === "ascending" ? "▲" : sort === "descending" ? "▼" : "↕"}
          </span>
        </button>
      ) : (
        children
      )}
    </div>
  );
}

/**
 * The fleet table: virtual rows (only what is on screen is in the DOM) over
 * keyset pages fetched as the operator scrolls, so 100,000 clients scroll
 * like 100. Arrow keys move between rows, Enter opens one.
 */
export function ClientTable({
  query,
  filters,
  onSort,
}: {
  query: ReturnType<typeof useClientsQuery>;
  filters: ClientListParams;
  /** The URL change for a sort picked from a column header (defaults left out, as the toolbar does). */
  onSort: (patch: { sort: string | undefined; order: string | undefined }) => void;
}) {
  const hydrated = useHydrated();
  const { data, hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // A client moved between pages by live updates must not show twice.
  const rows = useMemo(() => {
    const seen = new Set<string>();
    const list: ClientView[] = [];
    for (const page of data?.pages ?? []) {
      for (const c of page.items) {
        if (seen.has(c.clientId)) continue;
        seen.add(c.clientId);
        list.push(c);
      }
    }
    return list;
  }, [data]);

  const { scroller, record: recordAnchor } = useScrollAnchor(rows);
  // The operator may scroll the server-rendered rows before React takes them over; the
  // virtualizer, as it attaches, scrolls to its own offset (0). Held here, put back below.
  const scrolledBeforeAttach = useRef(0);
  useLayoutEffect(() => {
    scrolledBeforeAttach.current = scroller.current?.scrollTop ?? 0;
  }, [scroller]);

  // TanStack Virtual returns functions the React Compiler cannot memoize;
  // this project does not compile with it, so the rule's warning does not apply.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Before it can measure (server render, hydration) it assumes a laptop-sized viewport,
    // so the prefetched first rows are in the HTML.
    initialRect: { width: 1200, height: 720 },
    getItemKey: (index) => rows[index]?.clientId ?? index,
  });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el !== null && scrolledBeforeAttach.current > 0)
      el.scrollTop = scrolledBeforeAttach.current;
  }, [scroller]);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS)
      void fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const focusRow = (index: number) => {
    const target = Math.min(rows.length - 1, Math.max(0, index));
    virtualizer.scrollToIndex(target, { align: "auto" });
    // The row may only exist after the scroll renders it.
    requestAnimationFrame(() =>
      scroller.current?.querySelector<HTMLAnchorElement>(`[data-row-index="${target}"] a`)?.focus(),
    );
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>("[data-row-index]");
    if (row === null) return;
    const index = Number(row.dataset.rowIndex);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: rows.length - 1,
    };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    focusRow(next);
  };

  const counts = data?.pages[0]?.counts;
  const matching = counts === undefined ? undefined : matchingCount(counts, filters);
  const sort = filters.sort ?? "lastChange";
  const order = filters.order ?? (sort === "clientId" ? "asc" : "desc");
  const ariaSort: SortState = order === "asc" ? "ascending" : "descending";
  /** A sortable column's header state: sorted this way, or a click sorts by it. */
  const sortableBy = (column: Sort): { sort: SortState; onSort: () => void } => ({
    sort: sort === column ? ariaSort : "none",
    onSort: () => onSort(sortPatch(column, sort === column ? order : undefined)),
  });

  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div
        ref={scroller}
        onKeyDown={onKeyDown}
        onScroll={recordAnchor}
        className="h-[max(26rem,calc(100vh-14rem))] overflow-auto overscroll-contain"
        data-testid="client-table-scroller"
        // Set once React owns these rows: keys work from then on (tests wait for it).
        data-hydrated={hydrated ? "" : undefined}
      >
        <div
          role="table"
          aria-label="Clients"
          aria-rowcount={typeof matching === "number" ? matching + 1 : -1}
          aria-busy={query.isPlaceholderData}
          className={`min-w-[44rem] transition-opacity ${query.isPlaceholderData ? "opacity-60" : ""}`}
        >
          <div
            role="rowgroup"
            className="sticky top-0 z-10 border-b border-slate-200 bg-slate-50/95 text-xs font-semibold uppercase tracking-wide text-slate-600 backdrop-blur dark:border-slate-800 dark:bg-slate-900/95 dark:text-slate-300"
          >
            <div role="row" aria-rowindex={1} className={`grid ${GRID}`}>
              <HeaderCell>Status</HeaderCell>
              <HeaderCell {...sortableBy("clientId")}>Client ID</HeaderCell>
              <HeaderCell>Since</HeaderCell>
              <HeaderCell {...sortableBy("lastChange")}>Last event</HeaderCell>
              <HeaderCell className="hidden xl:block">Last connect</HeaderCell>
              <HeaderCell className="hidden lg:block">Last disconnect</HeaderCell>
              <HeaderCell>Reason</HeaderCell>
              <HeaderCell>Flapping</HeaderCell>
              <HeaderCell className="text-right">Subs</HeaderCell>
            </div>
          </div>
          <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const client = rows[item.index]!;
              return (
                <ClientRow key={item.key} client={client} index={item.index} top={item.start} />
              );
            })}
          </div>
          {data === undefined && query.isPending ? (
            <div className="space-y-2 p-3" aria-label="Loading clients">
              {Array.from({ length: 8 }, (_, i) => (
                <Skeleton key={i} className="h-7 w-full" />
              ))}
            </div>
          ) : null}
          {data === undefined && query.isError ? (
            <p className="p-8 text-center text-sm text-slate-600 dark:text-slate-400">
              The clients could not be loaded; see the message above.
            </p>
          ) : null}
          {data !== undefined && rows.length === 0 ? (
            <p className="p-8 text-center text-sm text-slate-600 dark:text-slate-400">
              No client matches{filters.q ? ` “${filters.q}”` : ""}
              {filters.status ? ` with status ${filters.status}` : ""}
              {filters.source ? ` from ${SOURCE_LABELS[filters.source]}` : ""}
              {filters.flapping === undefined
                ? ""
                : filters.flapping
                  ? " that is flapping"
                  : " that is not flapping"}
              . Clear the search or the filter to see more.
            </p>
          ) : null}
        </div>
      </div>
      <div className="flex items-center justify-between border-t border-slate-200 px-3 py-2 text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
        <span aria-live="polite">
          {matching === undefined
            ? "Loading…"
            : matching === null
              ? `${formatCount(rows.length, hydrated)} loaded${hasNextPage ? ", more below" : ""}`
              : `${formatCount(rows.length, hydrated)} loaded of ${formatCount(matching, hydrated)} matching`}
          {isFetchingNextPage ? " · loading more…" : ""}
        </span>
        <span className="hidden sm:inline">↑ ↓ move · Enter opens · / searches</span>
      </div>
    </div>
  );
}
