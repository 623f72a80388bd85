"use client";

import Link from "next/link";
import { DeviceAlerts } from "../alerts/DeviceAlerts";
import { ApiError } from "../hooks/fetch-json";
import { AvailabilityPanel } from "./AvailabilityPanel";
import {
  clientPath,
  useClientQuery,
  useConnectionsQuery,
  useFailuresQuery,
  useSubscriptionsQuery,
} from "../hooks/use-device-queries";
import { useUrlState } from "../hooks/use-url-state";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { ConnectionsTable } from "./ConnectionsTable";
import { DeviceHeader, DeviceHeaderSkeleton } from "./DeviceHeader";
import { DeviceIncidents } from "./DeviceIncidents";
import { EventLog } from "./EventLog";
import { FailuresPanel } from "./FailuresPanel";
import { LabelsPanel } from "./LabelsPanel";
import { RangePicker } from "./RangePicker";
import { BackLinkBar } from "../ui/BackLinkBar";
import { SubscriptionsPanel } from "./SubscriptionsPanel";
import { SessionTimeline } from "./SessionTimeline";
import { parseRange } from "./range";

function NotFound({ clientId }: { clientId: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-sm dark:border-slate-700 dark:bg-slate-900">
      <h1 className="text-lg font-semibold">No client “{clientId}” has been seen</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-300">
        A client appears once the broker reports one of its lifecycle events. Check the ID (it is
        case-sensitive), or whether the bridge is running.
      </p>
      <Link href="/" className="mt-4 inline-block text-sky-800 underline dark:text-sky-300">
        Back to the fleet
      </Link>
    </div>
  );
}

/** One device: header, session timeline and connections for a range, subscriptions, failures, raw events. */
export function DevicePage({ clientId, admin = false }: { clientId: string; admin?: boolean }) {
  const [search, setSearch] = useUrlState();
  const range = parseRange(search);
  const client = useClientQuery(clientId);
  const connections = useConnectionsQuery(clientId, range.id, range.bounds);
  const subscriptions = useSubscriptionsQuery(clientId);
  const failures = useFailuresQuery(clientId);

  if (client.error instanceof ApiError && client.error.status === 404) {
    return (
      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
        <NotFound clientId={clientId} />
      </main>
    );
  }

  const shown = connections.data;
  const csv = shown
    ? `${clientPath(clientId)}/connections.csv?${new URLSearchParams({
        from: new Date(shown.from).toISOString(),
        to: new Date(shown.to).toISOString(),
      })}`
    : undefined;
  const error = client.error ?? connections.error ?? subscriptions.error ?? failures.error;

  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <BackLinkBar href="/" label="Fleet" />
      {error ? <ErrorBanner error={error} onRetry={() => void client.refetch()} /> : null}
      {client.data ? (
        <DeviceHeader
          client={client.data}
          previous={shown?.items.findLast((c) => c.disconnectedAt !== null && !c.endInferred)}
        />
      ) : (
        <DeviceHeaderSkeleton />
      )}
      {client.data ? (
        <Panel id="labels" title="Labels">
          <LabelsPanel clientId={clientId} labels={client.data.labels} admin={admin} />
        </Panel>
      ) : null}
      <Panel id="device-alerts-panel" title="Alerts">
        <DeviceAlerts clientId={clientId} admin={admin} />
      </Panel>
      <Panel
        id="timeline"
        title="Session timeline"
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <RangePicker key={range.id} range={range} onChange={setSearch} />
            {csv ? (
              <a
                href={csv}
                download
                data-testid="device-export-link"
                className="rounded-lg border border-slate-300 bg-white px-3 py-1 text-xs font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
              >
                Export CSV
              </a>
            ) : null}
          </div>
        }
      >
        {shown ? (
          <div className="space-y-5">
            <SessionTimeline items={shown.items} from={shown.from} to={shown.to} />
            <ConnectionsTable key={range.id} items={shown.items} />
          </div>
        ) : (
          <Skeleton className="h-40 w-full" />
        )}
      </Panel>
      <Panel id="availability" title="Availability over the selected range">
        <AvailabilityPanel clientId={clientId} range={range} />
      </Panel>
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel id="subscriptions" title="Subscriptions">
          <SubscriptionsPanel data={subscriptions.data} />
        </Panel>
        <Panel id="failures" title="Failed connection attempts">
          <FailuresPanel data={failures.data} />
        </Panel>
      </div>
      <Panel id="device-incidents" title="Fleet incidents">
        <DeviceIncidents clientId={clientId} />
      </Panel>
      <Panel id="events" title="Event log">
        <EventLog clientId={clientId} />
      </Panel>
    </main>
  );
}
