"use client";

import Link from "next/link";
import { clientIdSegment } from "@/contract/client-id-segment";
import { useAlertsQuery, type AlertView } from "../hooks/use-alerts";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { LocalTime, RelativeTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { pill, td, th } from "../admin/styles";

const DELIVERY_TONE: Record<string, string> = {
  sent: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

function Deliveries({ alert }: { alert: AlertView }) {
  if (alert.silenced)
    return <span className="text-xs text-slate-600 dark:text-slate-400">silenced: not sent</span>;
  if (alert.clientId !== null && alert.incidentId !== null)
    return (
      <span className="text-xs text-slate-600 dark:text-slate-400">sent with its incident</span>
    );
  if (alert.deliveries.length === 0)
    return <span className="text-xs text-slate-600 dark:text-slate-400">no channel</span>;
  return (
    <ul className="space-y-1">
      {alert.deliveries.map((d) => (
        <li key={d.id} className="text-xs">
          <details>
            <summary className="cursor-pointer">
              <span className={`${pill} ${DELIVERY_TONE[d.state] ?? ""}`}>{d.state}</span>{" "}
              {d.status} → {d.channelName}{" "}
              <span className="text-slate-600 dark:text-slate-400">
                ({d.attempts} {d.attempts === 1 ? "attempt" : "attempts"})
              </span>
            </summary>
            <div className="mt-1 space-y-0.5 pl-4 text-slate-700 dark:text-slate-300">
              <div className="font-mono text-[11px]">deliveryId {d.id}</div>
              {d.state === "pending" && d.nextAttemptAt ? (
                <div>
                  next attempt <RelativeTime iso={d.nextAttemptAt} />
                </div>
              ) : null}
              {d.attemptLog.map((a, i) => (
                <div key={i}>
                  <LocalTime iso={a.attemptedAt} short /> · {a.ok ? "ok" : "failed"}
                  {a.httpStatus !== null ? ` · HTTP ${a.httpStatus}` : ""} · {a.durationMs} ms
                  {a.error ? ` · ${a.error}` : ""}
                </div>
              ))}
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}

const linkStyle = "text-sky-800 hover:underline dark:text-sky-300";

function Subject({ alert }: { alert: AlertView }) {
  const incident =
    alert.incidentId === null ? null : (
      <Link href={`/incidents/${encodeURIComponent(alert.incidentId)}`} className={linkStyle}>
        incident
      </Link>
    );
  if (alert.clientId === null) return incident ?? <span>whole selection</span>;
  return (
    <span>
      <Link
        href={`/clients/${clientIdSegment(alert.clientId)}`}
        className={`font-mono text-[13px] ${linkStyle}`}
      >
        {alert.clientId}
      </Link>
      {incident ? <span className="text-xs"> (folded into an {incident})</span> : null}
    </span>
  );
}

/** One table of alerts (firing or resolved), each with its deliveries and their attempts. */
export function AlertList({
  state,
  title,
  empty,
  clientId,
}: {
  state: "firing" | "resolved";
  title: string;
  empty: string;
  clientId?: string;
}) {
  const query = useAlertsQuery({ state, clientId });
  const id = `alerts-${state}`;
  return (
    <Panel title={title} id={id}>
      <QueryErrorBanner query={query} />
      {query.data === undefined ? (
        <Skeleton className="h-16" />
      ) : query.data.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">{empty}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid={id}>
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className={th}>Rule</th>
                <th className={th}>Client</th>
                <th className={th}>Since</th>
                {state === "resolved" ? <th className={th}>Resolved</th> : null}
                <th className={th}>Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.map((a) => (
                <tr
                  key={a.id}
                  className="border-b border-slate-100 align-top dark:border-slate-800/60"
                >
                  <td className={td}>
                    <div className="font-medium">{a.rule.name}</div>
                    <div className="text-xs text-slate-600 dark:text-slate-400">{a.rule.kind}</div>
                  </td>
                  <td className={td}>
                    <Subject alert={a} />
                  </td>
                  <td className={td}>
                    <LocalTime iso={a.startedAt} short />
                  </td>
                  {state === "resolved" ? (
                    <td className={td}>
                      <LocalTime iso={a.resolvedAt} short />
                    </td>
                  ) : null}
                  <td className={td}>
                    <Deliveries alert={a} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
