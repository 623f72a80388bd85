"use client";

import { useEffect, useRef, useState } from "react";
import type { ClientListParams } from "@/contract/client-list";
import { SOURCE_LABELS, SOURCES } from "@/contract/sources";

const SORTS = [
  { value: "lastChange:desc", label: "Last event, newest first" },
  { value: "lastChange:asc", label: "Last event, oldest first" },
  { value: "clientId:asc", label: "Client ID, A → Z" },
  { value: "clientId:desc", label: "Client ID, Z → A" },
] as const;

const field =
  "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900";

/** Search, status filter and sort; every change goes to the URL (typing is debounced). */
export function FleetToolbar({
  filters,
  onChange,
}: {
  filters: ClientListParams;
  onChange: (patch: Record<string, string | undefined>) => void;
}) {
  const [text, setText] = useState(filters.q ?? "");
  const input = useRef<HTMLInputElement>(null);
  const urlQ = filters.q ?? "";
  const pushed = useRef(urlQ);

  // Back/forward or a shared link changes q under us: show it.
  useEffect(() => {
    if (urlQ !== pushed.current) {
      pushed.current = urlQ;
      setText(urlQ);
    }
  }, [urlQ]);

  useEffect(() => {
    if (text === pushed.current) return;
    const timer = setTimeout(() => {
      pushed.current = text;
      onChange({ q: text || undefined });
    }, 250);
    return () => clearTimeout(timer);
  }, [text, onChange]);

  // "/" jumps to the search box, as in most dashboards.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== "/" || target?.closest("input, textarea, select, [contenteditable]")) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const sortValue = `${filters.sort ?? "lastChange"}:${filters.order ?? (filters.sort === "clientId" ? "asc" : "desc")}`;
  return (
    <div className="flex flex-wrap items-end gap-3">
      <label className="flex min-w-[14rem] flex-1 flex-col gap-1 text-xs font-medium text-slate-700 dark:text-slate-300">
        Search client ID
        <input
          ref={input}
          type="search"
          value={text}
          placeholder="substring, e.g. sensor-12   ( / )"
          onChange={(e) => setText(e.target.value)}
          maxLength={128}
          className={`${field} font-mono`}
        />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-700 dark:text-slate-300">
        Status
        <select
          value={filters.status ?? (filters.flapping ? "flapping" : "")}
          onChange={(e) =>
            e.target.value === "flapping"
              ? onChange({ status: undefined, flapping: "true" })
              : onChange({ status: e.target.value || undefined, flapping: undefined })
          }
          className={field}
        >
          <option value="">All statuses</option>
          <option value="online">Online</option>
          <option value="pending">Pending</option>
          <option value="offline">Offline</option>
          <option value="flapping">Flapping (any status)</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-700 dark:text-slate-300">
        Source
        <select
          value={filters.source ?? ""}
          onChange={(e) => onChange({ source: e.target.value || undefined })}
          className={field}
        >
          <option value="">All sources</option>
          {SOURCES.map((s) => (
            <option key={s} value={s}>
              {SOURCE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-700 dark:text-slate-300">
        Sort
        <select
          value={sortValue}
          onChange={(e) => {
            const [sort, order] = e.target.value.split(":");
            // Defaults stay out of the URL so shared links are short.
            onChange({
              sort: sort === "lastChange" ? undefined : sort,
              order:
                e.target.value === "lastChange:desc" || e.target.value === "clientId:asc"
                  ? undefined
                  : order,
            });
          }}
          className={field}
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
