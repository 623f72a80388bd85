"use client";

import type { SubscriptionsView } from "@/lib/clients/schemas";
import { LocalTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";

/** Current topic filters (session-aware) and what was subscribed or dropped before. */
export function SubscriptionsPanel({ data }: { data: SubscriptionsView | undefined }) {
  if (data === undefined) return <Skeleton className="h-24 w-full" />;
  const stale = data.topics.filter((t) => !t.current);
  return (
    <div className="space-y-4 text-sm">
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
          Current ({data.current.length})
        </h3>
        {data.current.length === 0 ? (
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            No subscription in the current session.
          </p>
        ) : (
          <ul className="mt-2 flex flex-wrap gap-1.5" data-testid="current-subscriptions">
            {data.current.map((topic) => (
              <li
                key={topic}
                className="rounded-md bg-sky-50 px-2 py-0.5 font-mono text-xs text-sky-900 ring-1 ring-sky-200 dark:bg-sky-950 dark:text-sky-100 dark:ring-sky-800"
              >
                {topic}
              </li>
            ))}
          </ul>
        )}
        {stale.length > 0 ? (
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Not current:{" "}
            {stale
              .map(
                (t) =>
                  `${t.topic} (${t.eventType === "unsubscribed" ? "unsubscribed" : "earlier session"})`,
              )
              .join(", ")}
          </p>
        ) : null}
      </div>
      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
          History
        </h3>
        {data.history.length === 0 ? (
          <p className="mt-1 text-slate-600 dark:text-slate-400">No subscription events.</p>
        ) : (
          <ol
            className="mt-2 max-h-64 space-y-1 overflow-auto pr-1"
            aria-label="Subscription history, newest first"
          >
            {data.history.map((e, i) => (
              <li key={`${e.at}:${i}`} className="flex flex-wrap items-baseline gap-x-2 text-xs">
                <span className="w-32 shrink-0 text-slate-600 dark:text-slate-400">
                  <LocalTime iso={e.at} short />
                </span>
                <span
                  className={
                    e.eventType === "subscribed"
                      ? "font-medium text-emerald-700 dark:text-emerald-400"
                      : "font-medium text-rose-700 dark:text-rose-400"
                  }
                >
                  {e.eventType}
                </span>
                <span className="break-all font-mono">{e.topics.join(", ")}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
