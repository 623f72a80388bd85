"use client";

import { DayStrip } from "../availability/DayStrip";
import { formatAvailability } from "../availability/format";
import { formatDuration } from "../format/time";
import { useDeviceAvailabilityQuery } from "../hooks/use-availability";
import { Skeleton } from "../ui/Skeleton";
import type { DeviceRange } from "./range";

/** The device's availability over the page's range, with a bar per day. */
export function AvailabilityPanel({ clientId, range }: { clientId: string; range: DeviceRange }) {
  const query = useDeviceAvailabilityQuery(clientId, range.id, range.bounds);
  const data = query.data;
  if (data === undefined) return <Skeleton className="h-24 w-full" />;
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-300">Availability</dt>
          <dd className="text-2xl font-semibold tabular-nums" data-testid="device-availability">
            {formatAvailability(data.availability)}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-300">Online</dt>
          <dd className="tabular-nums">{formatDuration(data.onlineSeconds)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-300">Observed</dt>
          <dd className="tabular-nums">{formatDuration(data.observedSeconds)}</dd>
        </div>
        <div>
          <dt className="text-xs text-slate-600 dark:text-slate-300">Disconnects</dt>
          <dd className="tabular-nums">{data.disconnects}</dd>
        </div>
      </dl>
      <DayStrip days={data.days} />
      <p className="text-xs text-slate-600 dark:text-slate-300">
        Online time over observed time: observation starts at the device&apos;s first event, and
        connections count with their ends as the timeline draws them.
      </p>
    </div>
  );
}
