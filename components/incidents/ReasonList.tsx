import { reasonInWords } from "../format/disconnect-reason";

const number = new Intl.NumberFormat();

/** Disconnect reasons, most frequent first, in words with the AWS code beside them. */
export function ReasonList({ reasons }: { reasons: Record<string, number> }) {
  const sorted = Object.entries(reasons).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return (
    <ul className="flex flex-wrap gap-1.5">
      {sorted.map(([code, n]) => (
        <li
          key={code}
          title={code}
          className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-800 dark:bg-slate-800 dark:text-slate-200"
        >
          {code === "UNKNOWN" ? "No reason given" : reasonInWords(code)}{" "}
          <span className="font-semibold tabular-nums">{number.format(n)}</span>
        </li>
      ))}
    </ul>
  );
}
