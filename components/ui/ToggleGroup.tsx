"use client";

// A row of toggle buttons of which one is pressed: a chart's range, a
// report's period, the device page's time range.

const segment = (on: boolean) =>
  `rounded-md px-2.5 py-1 font-medium focus-visible:outline-2 focus-visible:outline-sky-600 ${
    on
      ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900"
      : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
  }`;

/** One button per key of `options` (its value the button's text), `selected` pressed. */
export function ToggleGroup<K extends string>({
  label,
  options,
  selected,
  onSelect,
}: {
  /** The group's accessible name. */
  label: string;
  options: Readonly<Record<K, string>>;
  /** The pressed key; none is pressed when it names no option. */
  selected: string;
  onSelect: (key: K) => void;
}) {
  return (
    <div
      role="group"
      aria-label={label}
      className="inline-flex rounded-lg border border-slate-200 p-0.5 text-xs dark:border-slate-700"
    >
      {(Object.keys(options) as K[]).map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={selected === key}
          onClick={() => onSelect(key)}
          className={segment(selected === key)}
        >
          {options[key]}
        </button>
      ))}
    </div>
  );
}
