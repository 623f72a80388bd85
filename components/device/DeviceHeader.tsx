"use client";

import type { ReactNode } from "react";
import type { ClientView, ConnectionView } from "@/lib/clients/schemas";
import { reasonInWords } from "../format/disconnect-reason";
import { useNow } from "../hooks/use-now";
import { serverOffset } from "../live/server-clock";
import { SOURCE_LABELS } from "@/contract/sources";
import { SourceBadge } from "../SourceBadge";
import { FlappingBadge, StatusBadge } from "../StatusBadge";
import { LocalTime, RelativeTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";

/** A value a fact's truncation may cut off: the whole of it shows on hover. */
function Clipped({ value }: { value: string | null }) {
  return <span title={value ?? undefined}>{value ?? dash}</span>;
}

function Fact({
  label,
  children,
  mono = false,
}: {
  label: string;
  children: ReactNode;
  mono?: boolean;
}) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">
        {label}
      </dt>
      <dd className={`mt-0.5 truncate text-sm ${mono ? "font-mono text-[13px]" : ""}`}>
        {children}
      </dd>
    </div>
  );
}

const dash = <span className="text-slate-400 dark:text-slate-500">—</span>;

/** Seconds left before a pending client counts as offline. */
function PendingCountdown({ until }: { until: string }) {
  const now = useNow(1_000);
  const left = Math.max(0, Math.ceil((Date.parse(until) - (now + serverOffset())) / 1000));
  return now === 0 ? null : (
    <span className="text-xs text-amber-800 dark:text-amber-300">
      offline in {left} s unless it reconnects
    </span>
  );
}

export function DeviceHeaderSkeleton() {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
      <Skeleton className="h-7 w-72" />
      <div className="mt-4 grid grid-cols-2 gap-4 md:grid-cols-4">
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} className="h-10" />
        ))}
      </div>
    </div>
  );
}

/** Who the device is and how it is connected, at a glance. */
export function DeviceHeader({
  client,
  previous,
  actions,
}: {
  client: ClientView;
  /** While connected, the last connection that ended with a real disconnect (from the timeline's range). */
  previous?: ConnectionView;
  actions?: ReactNode;
}) {
  // Connected now: the last disconnect is the previous connection's.
  const ended = client.disconnectReason !== null ? client : previous;
  const reason = reasonInWords(ended?.disconnectReason ?? null);
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">
            Client
          </p>
          <h1
            className="mt-0.5 break-all font-mono text-xl font-semibold"
            data-testid="device-client-id"
          >
            {client.clientId}
          </h1>
          <div className="mt-2 flex flex-wrap items-center gap-2" data-testid="device-status">
            <StatusBadge status={client.status} />
            {client.flapping ? <FlappingBadge /> : null}
            <span className="text-sm text-slate-700 dark:text-slate-300">
              since <RelativeTime iso={client.since} />
            </span>
            {client.status === "pending" && client.pendingUntil ? (
              <PendingCountdown until={client.pendingUntil} />
            ) : null}
            {client.infrastructure ? (
              <span
                className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300"
                title="Matches INFRASTRUCTURE_CLIENT_IDS: not counted in the fleet"
                data-testid="infrastructure-badge"
              >
                Infrastructure client · not part of the fleet
              </span>
            ) : null}
          </div>
        </div>
        {actions}
      </div>
      <dl className="mt-5 grid grid-cols-2 gap-x-6 gap-y-4 md:grid-cols-4">
        <Fact label="Since">
          <LocalTime iso={client.since} />
        </Fact>
        <Fact label="Source">
          <span data-testid="client-source" className="inline-flex items-center gap-1.5">
            {client.source === null ? "—" : <SourceBadge source={client.source} />}
            {client.source === null ? null : SOURCE_LABELS[client.source]}
          </span>
        </Fact>
        <Fact label="Principal" mono>
          <Clipped value={client.principalIdentifier} />
        </Fact>
        <Fact label="IP address" mono>
          {client.ipAddress ?? dash}
        </Fact>
        <Fact label="Thing name" mono>
          {client.thingName ?? dash}
        </Fact>
        <Fact label="Session" mono>
          <Clipped value={client.sessionIdentifier} />
        </Fact>
        <Fact label="Version">{client.versionNumber ?? dash}</Fact>
        <Fact label="Last disconnect">
          {reason && ended ? (
            <span title={ended.disconnectReason ?? undefined}>
              {reason}
              {ended.clientInitiatedDisconnect !== null ? (
                <span className="text-slate-600 dark:text-slate-400">
                  {ended.clientInitiatedDisconnect ? " · by the client" : " · not by the client"}
                </span>
              ) : null}
            </span>
          ) : (
            dash
          )}
        </Fact>
        <Fact label="Last connected / disconnected">
          <LocalTime iso={client.lastConnectedAt} short /> /{" "}
          <LocalTime iso={client.lastDisconnectedAt} short />
        </Fact>
      </dl>
    </div>
  );
}
