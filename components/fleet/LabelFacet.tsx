"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { labelKeyProblem, type LabelFilter } from "@/contract/labels";
import type { LabelFacet as Facet } from "@/lib/labels/schemas";
import type { HistoryRange, OnlineByLabel } from "@/lib/stats/schemas";
import { fetchJson } from "../hooks/fetch-json";
import { Panel } from "../ui/Panel";
import { Sparkline } from "./Sparkline";

/**
 * How the fleet splits by one label key (`facet=site` in the URL), each
 * value with its online line over the chart's range; a value click filters
 * the list.
 */
export function LabelFacet({
  facetKey,
  range,
  onKey,
  onPick,
}: {
  facetKey: string;
  range: HistoryRange;
  onKey: (key: string) => void;
  onPick: (filter: LabelFilter) => void;
}) {
  const [text, setText] = useState(facetKey);
  const valid = labelKeyProblem(facetKey) === null;
  const query = useQuery({
    queryKey: ["label-facet", facetKey],
    queryFn: ({ signal }) =>
      fetchJson<Facet>(`/api/labels/facet?${new URLSearchParams({ key: facetKey })}`, { signal }),
    enabled: valid,
    refetchInterval: 30_000,
  });
  const lines = useQuery({
    queryKey: ["online-by-label", facetKey, range],
    queryFn: ({ signal }) =>
      fetchJson<OnlineByLabel>(
        `/api/stats/online/by-label?${new URLSearchParams({ key: facetKey, range })}`,
        { signal },
      ),
    enabled: valid,
    refetchInterval: 60_000,
  });
  const pointsOf = new Map(lines.data?.series.map((s) => [s.value, s.points]));
  const items = query.data?.items ?? [];
  return (
    <Panel
      id="label-facet"
      title="By label"
      actions={
        <form
          className="flex items-center gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            onKey(text.trim());
          }}
        >
          <label className="flex items-center gap-2 font-medium text-slate-700 dark:text-slate-300">
            Key
            <input
              value={text}
              onChange={(e) => setText(e.target.value)}
              className="w-32 rounded-lg border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-950"
            />
          </label>
          <button
            type="submit"
            className="rounded-lg border border-slate-300 bg-white px-2 py-1 font-medium dark:border-slate-700 dark:bg-slate-900"
          >
            Show
          </button>
        </form>
      }
    >
      {!valid ? (
        <p className="text-sm text-red-700 dark:text-red-300">{labelKeyProblem(facetKey)}</p>
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {query.isPending ? "Loading…" : `No client carries the label '${facetKey}'.`}
        </p>
      ) : (
        <ul className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
          {items.map((item) => {
            const share = item.clients === 0 ? 0 : item.online / item.clients;
            return (
              <li key={item.value}>
                <button
                  type="button"
                  onClick={() => onPick({ key: facetKey, value: item.value })}
                  className="flex w-full items-center gap-2 rounded px-1 py-0.5 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-slate-800"
                >
                  <span className="w-28 truncate font-medium">{item.value}</span>
                  <Sparkline
                    points={pointsOf.get(item.value) ?? []}
                    scale={item.clients}
                    dataFrom={lines.data?.dataFrom ?? null}
                  />
                  <span
                    aria-hidden="true"
                    className="h-2 flex-1 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
                  >
                    <span
                      className="block h-full bg-emerald-600 dark:bg-emerald-500"
                      style={{ width: `${Math.round(share * 100)}%` }}
                    />
                  </span>
                  <span className="w-44 text-right text-xs tabular-nums text-slate-700 dark:text-slate-300">
                    {item.online} of {item.clients} online ({Math.round(share * 100)}%)
                    {item.neverSeen > 0 ? ` · ${item.neverSeen} never seen` : ""}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
