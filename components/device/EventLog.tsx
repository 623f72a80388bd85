"use client";

import { useEventsQuery } from "../hooks/use-device-queries";
import { LocalTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";

const TYPE_STYLE: Record<string, string> = {
  connected: "text-emerald-700 dark:text-emerald-400",
  disconnected: "text-amber-800 dark:text-amber-300",
  subscribed: "text-sky-800 dark:text-sky-300",
  unsubscribed: "text-slate-700 dark:text-slate-300",
  connect_failed: "text-rose-700 dark:text-rose-400",
};

/** Every stored event of the device, newest first, each with its JSON as received. */
export function EventLog({ clientId }: { clientId: string }) {
  const query = useEventsQuery(clientId);
  if (query.data === undefined) return <Skeleton className="h-32 w-full" />;
  const events = query.data.pages.flatMap((p) => p.items);
  if (events.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-400">No events.</p>;
  return (
    <div>
      <ol
        className="divide-y divide-slate-100 text-sm dark:divide-slate-800"
        data-testid="event-log"
      >
        {events.map((e) => (
          <li key={e.id}>
            <details className="group py-1.5">
              <summary className="flex cursor-pointer list-none flex-wrap items-baseline gap-x-3 rounded px-1 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:hover:bg-slate-800/60">
                <span aria-hidden className="w-3 text-slate-500 group-open:rotate-90">
                  ›
                </span>
                <span className="w-36 shrink-0 text-xs text-slate-600 dark:text-slate-400">
                  <LocalTime iso={e.timestamp} short />
                </span>
                <span className={`w-28 font-medium ${TYPE_STYLE[e.eventType] ?? ""}`}>
                  {e.eventType}
                </span>
                <span className="truncate font-mono text-xs text-slate-600 dark:text-slate-400">
                  {e.versionNumber !== null ? `v${e.versionNumber} · ` : ""}
                  {e.sessionIdentifier ?? ""}
                </span>
              </summary>
              <div className="mt-1 pl-4 text-xs">
                <p className="text-slate-600 dark:text-slate-400">
                  Topic <span className="font-mono">{e.topic}</span> · received{" "}
                  <LocalTime iso={e.receivedAt} />
                </p>
                <pre className="mt-1 max-h-72 overflow-auto rounded-lg bg-slate-100 p-2 font-mono text-[12px] leading-snug dark:bg-slate-950">
                  {JSON.stringify(e.payload, null, 2)}
                </pre>
              </div>
            </details>
          </li>
        ))}
      </ol>
      {query.hasNextPage ? (
        <button
          type="button"
          onClick={() => void query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
          className="mt-3 rounded-md border border-slate-300 px-3 py-1 text-xs font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          {query.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      ) : null}
    </div>
  );
}
