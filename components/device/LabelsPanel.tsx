"use client";

import { useState } from "react";
import {
  labelKeyProblem,
  labelValueProblem,
  MAX_LABEL_VALUE_CHARS,
  type Labels,
} from "@/contract/labels";
import { useSaveLabels } from "../hooks/use-labels";
import { LabelChips } from "../ui/LabelChips";

const input =
  "rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950 focus-visible:outline-2 focus-visible:outline-sky-600";
/** The one primary action of a form (its own classes: bg-white of `button` would win over bg-sky). */
const primary =
  "rounded-lg border border-sky-700 bg-sky-700 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:hover:bg-sky-600";
const button =
  "rounded-lg border border-slate-300 bg-white px-3 py-1 text-xs font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/** A device's labels: chips for everyone, an editor for admins (saved as one PUT). */
export function LabelsPanel({
  clientId,
  labels,
  admin,
}: {
  clientId: string;
  labels: Labels;
  admin: boolean;
}) {
  const [editing, setEditing] = useState<[string, string][] | null>(null);
  const save = useSaveLabels(clientId);

  if (editing === null) {
    return (
      <div className="flex flex-wrap items-center gap-3">
        {Object.keys(labels).length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-300">No labels.</p>
        ) : (
          <LabelChips labels={labels} />
        )}
        {admin ? (
          <button
            type="button"
            className={button}
            onClick={() => {
              save.reset();
              setEditing([...Object.entries(labels), ["", ""]]);
            }}
          >
            Edit labels
          </button>
        ) : null}
      </div>
    );
  }

  const rows = editing;
  const filled = rows.filter(([k, v]) => k !== "" || v !== "");
  const problems = filled
    .map(([k, v]) => labelKeyProblem(k) ?? labelValueProblem(k, v))
    .filter((p): p is string => p !== null);
  const keys = filled.map(([k]) => k);
  if (new Set(keys).size !== keys.length) problems.push("each key may appear once");
  const setRow = (i: number, row: [string, string]) => {
    const next = rows.with(i, row);
    const last = next[next.length - 1]!;
    setEditing(last[0] !== "" || last[1] !== "" ? [...next, ["", ""]] : next);
  };

  return (
    <form
      className="space-y-2"
      aria-label="Edit labels"
      onSubmit={(e) => {
        e.preventDefault();
        if (problems.length > 0) return;
        save.mutate(Object.fromEntries(filled), { onSuccess: () => setEditing(null) });
      }}
    >
      {rows.map(([key, value], i) => (
        <div key={i} className="flex flex-wrap items-center gap-2">
          <input
            className={`${input} w-40 font-mono`}
            aria-label={`Label ${i + 1} key`}
            placeholder="key (e.g. site)"
            value={key}
            onChange={(e) => setRow(i, [e.target.value, value])}
          />
          <input
            className={`${input} w-64`}
            aria-label={`Label ${i + 1} value`}
            placeholder="value"
            maxLength={MAX_LABEL_VALUE_CHARS * 2}
            value={value}
            onChange={(e) => setRow(i, [key, e.target.value])}
          />
          {key !== "" || value !== "" ? (
            <button
              type="button"
              className={button}
              aria-label={`Remove label ${key || i + 1}`}
              onClick={() => setEditing(rows.toSpliced(i, 1))}
            >
              Remove
            </button>
          ) : null}
        </div>
      ))}
      {problems.length > 0 ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {problems[0]}
        </p>
      ) : null}
      {save.error ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {save.error.message}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" className={primary} disabled={problems.length > 0 || save.isPending}>
          {save.isPending ? "Saving…" : "Save labels"}
        </button>
        <button type="button" className={button} onClick={() => setEditing(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
