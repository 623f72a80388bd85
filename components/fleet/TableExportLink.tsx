"use client";

import { listParamsRecord, toSearchParams, type ClientListParams } from "@/contract/client-list";

/** The fleet table as CSV: the clients the table shows (same filters and order), with status and labels. */
export function TableExportLink({ filters }: { filters: ClientListParams }) {
  const search = toSearchParams(listParamsRecord(filters)).toString();
  return (
    <a
      href={`/api/export/clients.csv${search ? `?${search}` : ""}`}
      download
      data-testid="fleet-table-export-link"
      title="The clients the table shows, with their status and labels"
      className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
    >
      Table CSV
    </a>
  );
}
