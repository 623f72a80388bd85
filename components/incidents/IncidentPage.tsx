"use client";

import Link from "next/link";
import { useState } from "react";
import type { IncidentDetail } from "@/lib/incidents/schemas";
import { clientIdSegment } from "@/contract/client-id-segment";
import { reasonInWords } from "../format/disconnect-reason";
import { formatDuration } from "../format/time";
import { ApiError } from "../hooks/fetch-json";
import { useIncidentQuery } from "../hooks/use-incidents";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { BackLinkBar } from "../ui/BackLinkBar";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { ReasonList } from "./ReasonList";
import { TableHead } from "../ui/TableHead";

const number = new Intl.NumberFormat();
const seconds = (s: number | null) => (s === null ? "—" : formatDuration(s));

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-600 dark:text-slate-300">{label}</dt>
      <dd className="mt-0.5 text-sm font-semibold tabular-nums">{children}</dd>
    </div>
  );
}

function Shared({
  rows,
  total,
  empty,
}: {
  rows: Array<{ name: string | null; clients: number }>;
  total: number;
  empty: string;
}) {
  return (
    <ul className="space-y-1 text-sm">
      {rows.map((r) => (
        <li key={r.name ?? ""} className="flex items-baseline justify-between gap-3">
          <span className="truncate font-mono text-xs" title={r.name ?? undefined}>
            {r.name ?? empty}
          </span>
          <span className="shrink-0 tabular-nums">
            {number.format(r.clients)}{" "}
            <span className="text-slate-600 dark:text-slate-300">
              ({Math.round((100 * r.clients) / Math.max(1, total))} %)
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function Summary({ incident }: { incident: IncidentDetail }) {
  const lasted =
    incident.endedAt === null
      ? "still open"
      : formatDuration((Date.parse(incident.endedAt) - Date.parse(incident.startedAt)) / 1000);
  return (
    <Panel id="incident-summary" title="What happened">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Started">
          <LocalTime iso={incident.startedAt} />
        </Fact>
        <Fact label="Lasted">{lasted}</Fact>
        <Fact label="Clients dropped">{number.format(incident.affectedClients)}</Fact>
        <Fact label="Back">{number.format(incident.reconnectedClients)}</Fact>
        <Fact label="Median time back">{seconds(incident.recovery.medianSeconds)}</Fact>
        <Fact label="90 % back within">{seconds(incident.recovery.p90Seconds)}</Fact>
      </dl>
      <div className="mt-4">
        <h3 className="mb-1.5 text-xs font-medium text-slate-600 dark:text-slate-300">Why</h3>
        <ReasonList reasons={incident.reasons} />
      </div>
    </Panel>
  );
}

/** One incident: who dropped, why, what they share, how fast they came back. */
export function IncidentPage({ id }: { id: string }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const query = useIncidentQuery(id, cursor);
  const incident = query.data;
  if (query.error instanceof ApiError && query.error.status === 404) {
    return (
      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
        <h1 className="text-lg font-semibold">Incident not found</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{query.error.message}</p>
        <Link
          href="/incidents"
          className="mt-4 inline-block text-sky-800 underline dark:text-sky-300"
        >
          All incidents
        </Link>
      </main>
    );
  }
  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <BackLinkBar href="/incidents" label="Incidents" />
      <h1 className="text-xl font-semibold">
        Incident{" "}
        {incident ? (
          <>
            of <LocalTime iso={incident.startedAt} short />
          </>
        ) : null}
      </h1>
      {incident && incident.requestedId !== incident.id ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Late events joined the incident you asked for into this one.
        </p>
      ) : null}
      <QueryErrorBanner query={query} />
      {incident === undefined ? (
        <Skeleton className="h-40 w-full" />
      ) : (
        <>
          <Summary incident={incident} />
          <div className="grid gap-4 lg:grid-cols-2">
            <Panel id="incident-principals" title="Shared principals">
              <Shared
                rows={incident.principals.map((p) => ({
                  name: p.principalIdentifier,
                  clients: p.clients,
                }))}
                total={incident.affectedClients}
                empty="(none reported)"
              />
            </Panel>
            <Panel id="incident-networks" title="Shared networks (IPv4 /24, IPv6 /48)">
              <Shared
                rows={incident.networks.map((n) => ({ name: n.network, clients: n.clients }))}
                total={incident.affectedClients}
                empty="(address unknown)"
              />
            </Panel>
          </div>
          <Panel
            id="incident-clients"
            title={`Clients that dropped (${number.format(incident.affectedClients)})`}
          >
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <TableHead columns={["Client", "Dropped", "Why", "Address", "Back after"]} />
                <tbody>
                  {incident.clientDetails.map((c) => (
                    <tr
                      key={c.clientId}
                      className="border-t border-slate-100 dark:border-slate-800"
                    >
                      <td className="py-1.5 pr-3">
                        <Link
                          href={`/clients/${clientIdSegment(c.clientId)}`}
                          className="font-mono text-xs text-sky-800 hover:underline dark:text-sky-300"
                        >
                          {c.clientId}
                        </Link>
                      </td>
                      <td className="py-1.5 pr-3">
                        <LocalTime iso={c.disconnectedAt} short />
                      </td>
                      <td className="py-1.5 pr-3" title={c.disconnectReason ?? undefined}>
                        {reasonInWords(c.disconnectReason) ?? "No reason given"}
                      </td>
                      <td className="py-1.5 pr-3 font-mono text-xs">{c.ipAddress ?? "—"}</td>
                      <td className="py-1.5 tabular-nums">
                        {c.recoverySeconds === null
                          ? "not back"
                          : formatDuration(c.recoverySeconds)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="mt-3 flex gap-2 text-sm">
              {cursors.length > 1 ? (
                <button
                  type="button"
                  onClick={() => setCursors((c) => c.slice(0, -1))}
                  className="rounded-lg border border-slate-300 px-3 py-1 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:hover:bg-slate-800"
                >
                  Previous
                </button>
              ) : null}
              {incident.nextCursor !== null ? (
                <button
                  type="button"
                  onClick={() => setCursors((c) => [...c, incident.nextCursor])}
                  className="rounded-lg border border-slate-300 px-3 py-1 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:hover:bg-slate-800"
                >
                  Next
                </button>
              ) : null}
            </div>
          </Panel>
        </>
      )}
    </main>
  );
}
