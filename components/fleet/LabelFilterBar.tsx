"use client";

import { useState } from "react";
import {
  formatLabelFilter,
  MAX_LABEL_FILTERS,
  parseLabelFilter,
  type LabelFilter,
} from "@/contract/labels";
import type { UrlPatch } from "../hooks/use-url-state";

const field =
  "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900";

/** The list's label filters (`label=key:value` in the URL, all must match): add one, remove any. */
export function LabelFilterBar({
  filters,
  onChange,
}: {
  filters: readonly LabelFilter[];
  onChange: (patch: UrlPatch) => void;
}) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const set = (next: readonly LabelFilter[]) => onChange({ label: next.map(formatLabelFilter) });

  return (
    <div className="flex flex-wrap items-center gap-2">
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const parsed = parseLabelFilter(text.trim());
          if (typeof parsed === "string") return setProblem(parsed);
          setProblem(null);
          setText("");
          const rest = filters.filter((f) => f.key !== parsed.key);
          set([...rest, parsed].slice(0, MAX_LABEL_FILTERS));
        }}
      >
        <label className="flex items-center gap-2 text-xs font-medium text-slate-700 dark:text-slate-300">
          Label
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="key:value, e.g. site:berlin"
            aria-invalid={problem !== null}
            aria-describedby={problem !== null ? "label-filter-problem" : undefined}
            className={`${field} w-72 font-mono`}
          />
        </label>
        <button type="submit" className={field}>
          Filter
        </button>
      </form>
      {filters.map((f) => (
        <button
          key={f.key}
          type="button"
          onClick={() => set(filters.filter((g) => g.key !== f.key))}
          aria-label={`Remove label filter ${formatLabelFilter(f)}`}
          className="rounded-full border border-sky-300 bg-sky-50 px-2.5 py-1 text-xs font-medium text-sky-900 hover:bg-sky-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
        >
          {f.key}: {f.value} <span aria-hidden="true">×</span>
        </button>
      ))}
      {problem !== null ? (
        <p
          id="label-filter-problem"
          role="alert"
          className="text-xs text-red-700 dark:text-red-300"
        >
          {problem}
        </p>
      ) : null}
    </div>
  );
}
