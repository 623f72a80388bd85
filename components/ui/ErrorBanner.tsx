"use client";

import { ApiError } from "../hooks/fetch-json";

/** What went wrong in words, and a way to try again; the API's own message when it sent one. */
export function ErrorBanner({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const down = error instanceof ApiError ? error.status >= 500 : true;
  const title = down
    ? "The dashboard cannot reach its API or database."
    : "The request was refused.";
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <div>
        <p className="font-semibold">{title}</p>
        <p className="mt-0.5">
          {error.message}
          {error instanceof ApiError ? (
            <span className="ml-1 font-mono text-xs">({error.code})</span>
          ) : null}
          {down ? " It retries by itself; check that PostgreSQL is running." : null}
        </p>
      </div>
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="rounded-md border border-red-400 px-3 py-1 font-medium hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 dark:border-red-700 dark:hover:bg-red-900"
        >
          Retry now
        </button>
      ) : null}
    </div>
  );
}

/** A query's failure, if any, with Retry refetching it: nothing while the query is fine. */
export function QueryErrorBanner({
  query,
}: {
  query: { error: Error | null; refetch: () => Promise<unknown> };
}) {
  return query.error ? (
    <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />
  ) : null;
}

/** A failed action's message, inline where the action was (a dialog, a panel): nothing without an error. */
export function ErrorNote({ error, layout }: { error: Error | null; layout: string }) {
  return error ? (
    <p
      role="alert"
      className={`${layout} rounded-lg bg-red-50 px-3 py-2 text-red-900 dark:bg-red-950 dark:text-red-100`}
    >
      {error.message}
    </p>
  ) : null;
}
