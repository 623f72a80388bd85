import type { Labels } from "@/contract/labels";

/** Labels as `key: value` chips, keys in order. */
export function LabelChips({ labels, className = "" }: { labels: Labels; className?: string }) {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;
  return (
    <ul className={`flex flex-wrap gap-1 ${className}`} aria-label="Labels">
      {entries.map(([key, value]) => (
        <li
          key={key}
          className="rounded-md bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-100"
        >
          <span className="font-mono text-slate-600 dark:text-slate-300">{key}</span>: {value}
        </li>
      ))}
    </ul>
  );
}
