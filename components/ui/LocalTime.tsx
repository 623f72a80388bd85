"use client";

import { formatDateTime, formatShortDateTime, relativeTime, utcLabel } from "../format/time";
import { useNow } from "../hooks/use-now";

/** A time in the operator's zone, UTC on hover. */
export function LocalTime({ iso, short = false }: { iso: string | null; short?: boolean }) {
  if (iso === null) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  const ms = Date.parse(iso);
  return (
    <time dateTime={iso} title={utcLabel(ms)}>
      {short ? formatShortDateTime(ms) : formatDateTime(ms)}
    </time>
  );
}

/** "5 min ago", ticking; local and UTC time on hover. */
export function RelativeTime({ iso }: { iso: string | null }) {
  const now = useNow(5_000);
  if (iso === null) return <span className="text-slate-400 dark:text-slate-500">—</span>;
  const ms = Date.parse(iso);
  return (
    <time dateTime={iso} title={`${formatDateTime(ms)} (${utcLabel(ms)})`}>
      {now === 0 ? formatShortDateTime(ms) : relativeTime(ms, now)}
    </time>
  );
}
