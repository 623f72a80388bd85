"use client";

import type { ReactNode } from "react";
import { smallDangerButton, th } from "../admin/styles";
import { ErrorBanner } from "../ui/ErrorBanner";

/**
 * The table of an alert-settings panel (channels, rules, silences): the
 * query's error if it failed, a line of text when there are none, otherwise
 * a row each; the Actions column only for admins.
 */
export function SettingsTable<T extends { id: string }>({
  testId,
  query,
  empty,
  columns,
  admin,
  cells,
  actions,
}: {
  testId?: string;
  query: { data?: readonly T[]; error: Error | null };
  empty: string;
  columns: readonly string[];
  admin: boolean;
  /** The row's cells but the actions. */
  cells: (item: T) => ReactNode;
  /** The actions cell (a `<td>`), shown to admins. */
  actions: (item: T) => ReactNode;
}) {
  const items = query.data ?? [];
  const banner = query.error ? <ErrorBanner error={query.error} /> : null;
  if (items.length === 0)
    return (
      <>
        {banner}
        <p className="text-sm text-slate-600 dark:text-slate-300">{empty}</p>
      </>
    );
  return (
    <>
      {banner}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid={testId}>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              {columns.map((column) => (
                <th key={column} className={th}>
                  {column}
                </th>
              ))}
              {admin ? <th className={th}>Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} className="border-b border-slate-100 dark:border-slate-800/60">
                {cells(item)}
                {admin ? actions(item) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The Delete action of a settings row, named for screen readers by what it deletes. */
export function DeleteButton({ what, onDelete }: { what: string; onDelete: () => void }) {
  return (
    <button
      type="button"
      className={smallDangerButton}
      aria-label={`Delete ${what}`}
      onClick={onDelete}
    >
      Delete
    </button>
  );
}
