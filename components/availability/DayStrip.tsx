import type { AvailabilityDayView } from "@/lib/availability/schemas";
import { formatDuration } from "../format/time";
import { availabilityTone, formatAvailability } from "./format";

/** One bar per UTC day, its height the day's availability; each bar says its figures in words. */
export function DayStrip({ days }: { days: readonly AvailabilityDayView[] }) {
  if (days.length === 0) return null;
  return (
    <figure className="space-y-1">
      <ol
        aria-label="Availability day by day (UTC days)"
        className="flex h-16 items-end gap-px rounded-md border border-slate-200 bg-slate-50 p-1 dark:border-slate-800 dark:bg-slate-950"
      >
        {days.map((d) => {
          const text = `${d.day}: ${formatAvailability(d.availability)} available${
            d.availability === null
              ? " (not observed)"
              : `, online ${formatDuration(d.onlineSeconds)} of ${formatDuration(d.observedSeconds)}, ${d.disconnects} disconnects`
          }`;
          return (
            <li
              key={d.day}
              title={text}
              data-testid="availability-day"
              className="flex h-full min-w-[3px] flex-1 items-end"
            >
              <span className="sr-only">{text}</span>
              <span
                aria-hidden
                className={`block w-full rounded-sm ${availabilityTone(d.availability)}`}
                style={{
                  height: d.availability === null ? "4px" : `${Math.max(4, d.availability * 100)}%`,
                }}
              />
            </li>
          );
        })}
      </ol>
      <figcaption className="flex justify-between text-xs text-slate-600 dark:text-slate-300">
        <span>{days[0]!.day}</span>
        <span>UTC days</span>
        <span>{days[days.length - 1]!.day}</span>
      </figcaption>
    </figure>
  );
}
