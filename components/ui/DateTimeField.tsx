"use client";

import type { Ref } from "react";

const input =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950";

/** A labelled local date-and-time input, as the range pickers of the device page and the export use it. */
export function DateTimeField({
  label,
  value,
  onValue,
  className,
  inputRef,
}: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** The label's layout: inline beside the input, or stacked above it. */
  className: string;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <label className={className}>
      {label}
      <input
        ref={inputRef}
        type="datetime-local"
        value={value}
        onChange={(e) => onValue(e.target.value)}
        className={input}
      />
    </label>
  );
}
