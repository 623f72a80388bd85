"use client";

import { useState } from "react";
import Link from "next/link";
import type { IncidentItem } from "@/lib/incidents/schemas";
import { formatDuration } from "../format/time";
import { useIncidentsQuery } from "../hooks/use-incidents";
import { useUrlState } from "../hooks/use-url-state";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { LocalTime, TimeZoneNote } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { ReasonList } from "./ReasonList";
import { TableHead } from "../ui/TableHead";
import { ToggleGroup } from "../ui/ToggleGroup";

const SPANS = { "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000, "30d": 30 * 24 * 3_600_000 };
type Span = keyof typeof SPANS;
const SPAN_NAMES: Record<Span, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days" };
const number = new Intl.NumberFormat();

function duration(item: IncidentItem): string {
  if (item.endedAt === null) return "open";
  return formatDuration((Date.parse(item.endedAt) - Date.parse(item.startedAt)) / 1000);
}

function IncidentRow({ item }: { item: IncidentItem }) {
  return (
    <tr className="border-t border-slate-100 align-top dark:border-slate-800">
      <td className="py-2 pr-3">
        <Link
          href={`/incidents/${item.id}`}
          className="font-medium text-sky-800 hover:underline dark:text-sky-300"
        >
          <LocalTime iso={item.startedAt} short />
        </Link>
      </td>
      <td className="py-2 pr-3">
        {item.endedAt === null ? (
          <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-800 dark:bg-red-950 dark:text-red-200">
            Open
          </span>
        ) : (
          <span className="tabular-nums">{duration(item)}</span>
        )}
      </td>
      <td className="py-2 pr-3 text-right tabular-nums">{number.format(item.affectedClients)}</td>
      <td className="py-2 pr-3 text-right tabular-nums">
        {number.format(item.reconnectedClients)}
      </td>
      <td className="py-2">
        <ReasonList reasons={item.reasons} />
      </td>
    </tr>
  );
}

/** Fleet-wide incidents of a period, newest first. */
export function IncidentsPage() {
  const [search, setSearch] = useUrlState();
  const span: Span = (Object.keys(SPANS) as Span[]).find((s) => s === search.get("span")) ?? "7d";
  // The clock is read when the page mounts, not in every render: the query key stays put.
  const [mountedAt] = useState(() => Date.now());
  const query = useIncidentsQuery({
    from: new Date(Math.floor((mountedAt - SPANS[span]) / 60_000) * 60_000).toISOString(),
  });
  const items = query.data?.items;
  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Incidents</h1>
        <TimeZoneNote />
      </div>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-300">
        An incident is many devices dropping at once: at least the configured number of clients, and
        share of those online, disconnecting within one window. It ends when most are back.
      </p>
      <QueryErrorBanner query={query} />
      <Panel
        id="incidents"
        title="Incidents"
        actions={
          <ToggleGroup
            label="Period"
            options={SPAN_NAMES}
            selected={span}
            onSelect={(s) => setSearch({ span: s === "7d" ? undefined : s })}
          />
        }
      >
        {items === undefined ? (
          <Skeleton className="h-32 w-full" />
        ) : items.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-600 dark:text-slate-300">
            No incidents in this period.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <TableHead
                columns={[
                  "Started",
                  "Lasted",
                  { label: "Dropped", numeric: true },
                  { label: "Back", numeric: true },
                  "Why",
                ]}
              />
              <tbody>
                {items.map((item) => (
                  <IncidentRow key={item.id} item={item} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </main>
  );
}
