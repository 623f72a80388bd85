"use client";

import type { FailuresView } from "@/lib/clients/schemas";
import { reasonInWords } from "../format/disconnect-reason";
import { LocalTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";

/** Refused connection attempts: no connection came of them, but they explain a device that cannot get in. */
export function FailuresPanel({ data }: { data: FailuresView | undefined }) {
  if (data === undefined) return <Skeleton className="h-16 w-full" />;
  if (data.items.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">No failed connection attempts.</p>
    );
  }
  return (
    <div className="text-sm">
      <ul className="max-h-64 space-y-1 overflow-auto pr-1" data-testid="failures">
        {data.items.map((f) => (
          <li key={f.id} className="flex flex-wrap gap-x-3 text-xs">
            <span className="w-32 shrink-0 text-slate-600 dark:text-slate-400">
              <LocalTime iso={f.failedAt} short />
            </span>
            <span
              className="font-medium text-rose-700 dark:text-rose-400"
              title={f.reason ?? undefined}
            >
              {reasonInWords(f.reason) ?? "unknown reason"}
            </span>
            {f.ipAddress ? <span className="font-mono">{f.ipAddress}</span> : null}
          </li>
        ))}
      </ul>
      {data.total > data.items.length ? (
        <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
          Latest {data.items.length} of {data.total}.
        </p>
      ) : null}
    </div>
  );
}
