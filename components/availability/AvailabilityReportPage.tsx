"use client";

import { useState } from "react";
import Link from "next/link";
import { parseLabelFilter, type LabelFilter } from "@/contract/labels";
import { clientIdSegment } from "@/contract/client-id-segment";
import type { AvailabilityReportItem } from "@/lib/availability/schemas";
import { LabelFilterBar } from "../fleet/LabelFilterBar";
import { formatDuration } from "../format/time";
import { reportSearch, useAvailabilityReportQuery } from "../hooks/use-availability";
import { useUrlState } from "../hooks/use-url-state";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { TableHead } from "../ui/TableHead";
import { LabelChips } from "../ui/LabelChips";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { ToggleGroup } from "../ui/ToggleGroup";
import { availabilityTone, formatAvailability } from "./format";

const DAY = 86_400_000;
/**
 * Rolling spans up to now, and `days`: the 30 whole UTC days before today,
 * which the server keeps ranked (fast for any fleet size).
 */
const SPANS = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, days: null };
type Span = keyof typeof SPANS;

const utcDay = (iso: string, offsetMs = 0) =>
  new Date(Date.parse(iso) + offsetMs).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
const SPAN_NAMES: Record<Span, string> = {
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
  days: "30 whole days",
};

const action =
  "rounded-lg border border-slate-300 bg-white px-3 py-1 text-xs font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

function ReportRow({ item }: { item: AvailabilityReportItem }) {
  return (
    <tr className="border-t border-slate-100 align-top dark:border-slate-800">
      <td className="py-2 pr-3">
        <Link
          href={`/clients/${clientIdSegment(item.clientId)}?range=30d`}
          className="break-all font-medium text-sky-800 hover:underline dark:text-sky-300"
        >
          {item.clientId}
        </Link>
        <LabelChips labels={item.labels} className="mt-1" />
      </td>
      <td className="py-2 pr-3">
        <div className="flex items-center gap-2">
          <span className="w-16 text-right font-semibold tabular-nums">
            {formatAvailability(item.availability)}
          </span>
          <span
            aria-hidden
            className="hidden h-2 w-24 overflow-hidden rounded-full bg-slate-100 sm:block dark:bg-slate-800"
          >
            <span
              className={`block h-full ${availabilityTone(item.availability)}`}
              style={{ width: `${(item.availability ?? 0) * 100}%` }}
            />
          </span>
        </div>
      </td>
      <td className="py-2 pr-3 text-right tabular-nums">{formatDuration(item.onlineSeconds)}</td>
      <td className="py-2 pr-3 text-right tabular-nums">{formatDuration(item.observedSeconds)}</td>
      <td className="py-2 text-right tabular-nums">{item.disconnects}</td>
    </tr>
  );
}

/** The fleet's availability over a period, worst first, filtered by labels, with its CSV. */
export function AvailabilityReportPage() {
  const [search, setSearch] = useUrlState();
  const chosen = (Object.keys(SPANS) as Span[]).find((s) => s === search.get("span"));
  // Without a choice: the kept whole days (fast at any fleet size), unless
  // they hold no device yet (a fleet younger than a day): then the last 30 days.
  const [noWholeDays, setNoWholeDays] = useState(false);
  const span: Span = chosen ?? (noWholeDays ? "30d" : "days");
  const order = search.get("order") === "desc" ? "desc" : "asc";
  const labels = search
    .getAll("label")
    .map(parseLabelFilter)
    .filter((f): f is LabelFilter => typeof f !== "string");
  // The clock is read when the page mounts, not in every render: the query key stays put.
  const [mountedAt] = useState(() => Date.now());
  const to = Math.floor(mountedAt / 60_000) * 60_000;
  const spanMs = SPANS[span];
  const params: Record<string, string | string[]> = {
    // Without from and to: the whole days the server keeps ranked.
    ...(spanMs === null
      ? {}
      : { from: new Date(to - spanMs).toISOString(), to: new Date(to).toISOString() }),
    order,
    label: labels.map((f) => `${f.key}:${f.value}`),
  };
  const query = useAvailabilityReportQuery(params);
  const range = query.data?.pages[0];
  const keptEmpty =
    chosen === undefined && span === "days" && labels.length === 0 && range?.items.length === 0;
  // Set while rendering (React's pattern for state that follows a result): the next render asks for 30d.
  if (keptEmpty && !noWholeDays) setNoWholeDays(true);
  const title =
    spanMs !== null
      ? `Availability over the last ${SPAN_NAMES[span]}`
      : range === undefined
        ? "Availability over the 30 days before today"
        : `Availability, ${utcDay(range.from)} – ${utcDay(range.to, -DAY)} (whole UTC days)`;
  const items = query.data?.pages.flatMap((p) => p.items);
  const csv = `/api/reports/availability.csv?${reportSearch(params)}`;

  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <h1 className="text-xl font-semibold">Availability</h1>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
        How much of the period each device was online, worst first. A device counts from its first
        event on, so one added during the period is not penalised; a connection whose disconnect
        never arrived ends where the next one starts, as on the device&apos;s timeline.{" "}
        <em>30 whole days</em> (the UTC days before today) is kept ranked ahead and opens at once
        for any fleet size, so the page opens on it. <em>30 days</em> (up to now) is worked out from
        that ranking: under half a second for a million devices worst first, longer late in the UTC
        day when many devices share one figure. The other periods are computed when asked, which
        takes seconds for a fleet of hundreds of thousands.
      </p>
      {chosen === undefined && span === "30d" ? (
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="no-whole-days">
          No whole UTC day has been observed yet (the fleet&apos;s first event was today): showing
          the last 30 days up to now instead.
        </p>
      ) : null}
      <QueryErrorBanner query={query} />
      <LabelFilterBar filters={labels} onChange={setSearch} />
      <Panel
        id="availability-report"
        title={title}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <ToggleGroup
              label="Period"
              options={SPAN_NAMES}
              selected={span}
              onSelect={(s) => setSearch({ span: s })}
            />
            <button
              type="button"
              className={action}
              onClick={() => setSearch({ order: order === "asc" ? "desc" : undefined })}
            >
              {order === "asc" ? "Order: worst first" : "Order: best first"}
            </button>
            <a href={csv} download data-testid="availability-csv-link" className={action}>
              Download CSV
            </a>
          </div>
        }
      >
        {items === undefined ? (
          <Skeleton className="h-40 w-full" />
        ) : items.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-600 dark:text-slate-300">
            No device was observed in this period{labels.length > 0 ? " with these labels" : ""}.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="availability-table">
              <TableHead
                columns={[
                  "Device",
                  "Availability",
                  { label: "Online", numeric: true },
                  { label: "Observed", numeric: true },
                  { label: "Disconnects", numeric: true },
                ]}
              />
              <tbody>
                {items.map((item) => (
                  <ReportRow key={item.clientId} item={item} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {query.hasNextPage ? (
          <div className="mt-3 text-center">
            <button
              type="button"
              className={action}
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? "Loading…" : "Show more"}
            </button>
          </div>
        ) : null}
      </Panel>
    </main>
  );
}
