"use client";

import {
  formatDateTime,
  formatShortDateTime,
  localZoneLabel,
  relativeTime,
  utcLabel,
} from "../format/time";
import { useHydrated } from "../hooks/use-hydrated";
import { useNow } from "../hooks/use-now";

const none = <span className="text-slate-400 dark:text-slate-500">—</span>;

/** "2026-11-26 10:57": what the server can render without knowing the operator's zone. */
const utcShort = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** A time in the operator's zone, UTC on hover. */
export function LocalTime({ iso, short = false }: { iso: string | null; short?: boolean }) {
  const hydrated = useHydrated();
  if (iso === null) return none;
  const ms = Date.parse(iso);
  return (
    <time dateTime={iso} title={utcLabel(ms)}>
      {!hydrated ? utcShort(iso) : short ? formatShortDateTime(ms) : formatDateTime(ms)}
    </time>
  );
}

/** "Times in Europe/Berlin (GMT+1); hover a time for UTC": the zone the page's times are in. */
export function TimeZoneNote() {
  const hydrated = useHydrated();
  return (
    <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="time-zone-note">
      {!hydrated || localZoneLabel() === "UTC"
        ? "Times in UTC."
        : `Times in ${localZoneLabel()}; hover a time for UTC.`}
    </p>
  );
}

const TICK_MS = 5_000;

/** "5 min ago", ticking; local and UTC time on hover. */
export function RelativeTime({ iso }: { iso: string | null }) {
  const hydrated = useHydrated();
  const now = useNow(TICK_MS);
  if (iso === null) return none;
  const ms = Date.parse(iso);
  return (
    <time
      dateTime={iso}
      title={hydrated ? `${formatDateTime(ms)} (${utcLabel(ms)})` : utcLabel(ms)}
    >
      {hydrated && now !== 0 ? relativeTime(ms, now, TICK_MS) : utcShort(iso)}
    </time>
  );
}
