"use client";

import { useState } from "react";
import type { ConnectionView } from "@/lib/clients/schemas";
import { reasonInWords } from "../format/disconnect-reason";
import { formatDuration } from "../format/time";
import { LocalTime } from "../ui/LocalTime";
import { ColumnHeadings } from "../ui/TableHead";

const PAGE_SIZE = 15;
const th = "px-3 py-2 text-left font-semibold";
const COLUMNS = ["Start", "End", "Duration", "Reason", "By client", "Principal", "IP"];
const td = "px-3 py-2 align-top";

/** The range's connections, newest first, a page at a time. */
export function ConnectionsTable({ items }: { items: ConnectionView[] }) {
  const [page, setPage] = useState(0);
  const newestFirst = [...items].reverse();
  const pages = Math.max(1, Math.ceil(newestFirst.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = newestFirst.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  if (items.length === 0) {
    return (
      <p className="py-6 text-center text-sm text-slate-600 dark:text-slate-400">
        No connection in this range.
      </p>
    );
  }
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[46rem] text-sm" data-testid="connections-table">
          <caption className="sr-only">Connections in the selected range, newest first</caption>
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-600 dark:border-slate-800 dark:text-slate-300">
            <tr>
              <ColumnHeadings columns={COLUMNS} className={th} />
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr
                key={`${c.sessionIdentifier}:${c.versionNumber}`}
                className="border-b border-slate-100 dark:border-slate-800/70"
              >
                <td className={td}>
                  {c.connectedAt ? (
                    <LocalTime iso={c.connectedAt} short />
                  ) : (
                    <span className="text-slate-600 dark:text-slate-400">unknown</span>
                  )}
                </td>
                <td className={td}>
                  {c.disconnectedAt ? (
                    <>
                      <LocalTime iso={c.disconnectedAt} short />
                      {c.endInferred ? (
                        <span
                          className="ml-1 rounded bg-slate-100 px-1 text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300"
                          title="The disconnect never arrived; the connection ended no later than the next one began."
                        >
                          inferred
                        </span>
                      ) : null}
                    </>
                  ) : c.endInferred ? (
                    <span className="text-slate-600 dark:text-slate-400">unknown</span>
                  ) : (
                    <span className="font-medium text-emerald-700 dark:text-emerald-400">
                      connected
                    </span>
                  )}
                </td>
                <td className={`${td} tabular-nums`}>
                  {c.durationSeconds === null ? "—" : formatDuration(c.durationSeconds)}
                </td>
                <td className={td} title={c.disconnectReason ?? undefined}>
                  {reasonInWords(c.disconnectReason) ?? "—"}
                </td>
                <td className={td}>
                  {c.clientInitiatedDisconnect === null
                    ? "—"
                    : c.clientInitiatedDisconnect
                      ? "yes"
                      : "no"}
                </td>
                <td
                  className={`${td} max-w-[12rem] truncate font-mono text-xs`}
                  title={c.principalIdentifier ?? undefined}
                >
                  {c.principalIdentifier ?? "—"}
                </td>
                <td className={`${td} font-mono text-xs`}>{c.ipAddress ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav
        aria-label="Connection pages"
        className="mt-3 flex items-center justify-between text-xs text-slate-600 dark:text-slate-400"
      >
        <span>
          {items.length} connection{items.length === 1 ? "" : "s"} · page {current + 1} of {pages}
        </span>
        <span className="flex gap-2">
          <button
            type="button"
            disabled={current === 0}
            onClick={() => setPage(current - 1)}
            className="rounded-md border border-slate-300 px-2 py-1 disabled:opacity-40 dark:border-slate-700"
          >
            ← Newer
          </button>
          <button
            type="button"
            disabled={current >= pages - 1}
            onClick={() => setPage(current + 1)}
            className="rounded-md border border-slate-300 px-2 py-1 disabled:opacity-40 dark:border-slate-700"
          >
            Older →
          </button>
        </span>
      </nav>
    </div>
  );
}
