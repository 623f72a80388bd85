"use client";

import { formatLabelFilter } from "@/contract/labels";
import { useEffect, useRef, useState } from "react";
import { fromLocalInput, toLocalInput } from "../format/time";
import { DateTimeField } from "../ui/DateTimeField";
import type { ClientListParams } from "@/contract/client-list";

const PRESETS = [
  { label: "24 h", ms: 24 * 3_600_000 },
  { label: "7 d", ms: 7 * 24 * 3_600_000 },
  { label: "30 d", ms: 30 * 24 * 3_600_000 },
] as const;

const stacked = "flex flex-col gap-1 text-xs font-medium";

/** CSV of the connection timelines of the clients the table shows (same search and status), for a date range. */
export function ExportPanel({ filters }: { filters: ClientListParams }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const firstField = useRef<HTMLInputElement>(null);

  // A popover: focus moves into it, Escape or a click elsewhere closes it.
  useEffect(() => {
    if (!open) return;
    firstField.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - PRESETS[0].ms));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const fromMs = fromLocalInput(from);
  const toMs = fromLocalInput(to);
  const valid = fromMs !== null && toMs !== null && fromMs <= toMs;
  const search = new URLSearchParams();
  if (fromMs !== null) search.set("from", new Date(fromMs).toISOString());
  // The end minute is inclusive.
  if (toMs !== null) search.set("to", new Date(toMs + 59_999).toISOString());
  if (filters.q) search.set("q", filters.q);
  if (filters.status) search.set("status", filters.status);
  for (const f of filters.label ?? []) search.append("label", formatLabelFilter(f));
  const href = `/api/export/connections.csv?${search}`;
  const scope = [filters.q ? `matching “${filters.q}”` : null, filters.status ?? null]
    .filter(Boolean)
    .join(", ");

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="export-panel"
        onClick={() => setOpen((o) => !o)}
        className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
      >
        Timelines CSV
      </button>
      {open ? (
        <div
          id="export-panel"
          role="dialog"
          aria-label="Export connection timelines"
          className="absolute right-0 z-20 mt-2 w-80 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="font-semibold">Connection timelines</p>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            Clients {scope ? `${scope}` : "of the whole fleet"}; connections overlapping the range,
            in your local time.
          </p>
          <div className="mt-3 flex gap-1" role="group" aria-label="Range presets">
            {PRESETS.map((p) => (
              <button
                key={p.label}
                type="button"
                onClick={() => {
                  setFrom(toLocalInput(Date.now() - p.ms));
                  setTo(toLocalInput(Date.now()));
                }}
                className="rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
              >
                Last {p.label}
              </button>
            ))}
          </div>
          <DateTimeField
            label="From"
            value={from}
            onValue={setFrom}
            className={`mt-3 ${stacked}`}
            inputRef={firstField}
          />
          <DateTimeField label="To" value={to} onValue={setTo} className={`mt-2 ${stacked}`} />
          {valid ? (
            <a
              href={href}
              download
              data-testid="fleet-export-link"
              className="mt-4 block rounded-lg bg-sky-700 px-3 py-2 text-center font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
            >
              Download CSV
            </a>
          ) : (
            <p className="mt-4 text-xs text-red-700 dark:text-red-300">
              Choose a start before the end.
            </p>
          )}
        </div>
      ) : null}
    </div>
  );
}
