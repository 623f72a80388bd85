"use client";

import { useClientsQuery } from "./hooks/use-clients-query";
import { StatusBadge } from "./StatusBadge";

/** The fleet at a glance: counts and the most recently changed clients. */
export function FleetPage() {
  const { data, error, isPending } = useClientsQuery({ limit: "100" });
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="text-2xl font-semibold">Fleet presence</h1>
      {error ? (
        <p role="alert" className="mt-4 rounded bg-red-100 p-3 text-red-900 dark:bg-red-950 dark:text-red-200">
          Could not load clients: {error.message}
        </p>
      ) : null}
      {data ? (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          {data.counts.online} online · {data.counts.pending} pending · {data.counts.offline} offline ·{" "}
          {data.counts.total} total
        </p>
      ) : null}
      {isPending ? <p className="mt-6 text-slate-500">Loading…</p> : null}
      {data && data.items.length === 0 ? (
        <p className="mt-6 text-slate-600 dark:text-slate-400">
          No clients yet. Run <code>npm start</code> for the demo fleet, or point the bridge at your broker.
        </p>
      ) : null}
      {data && data.items.length > 0 ? (
        <table className="mt-6 w-full text-left text-sm">
          <thead className="text-slate-500">
            <tr>
              <th className="py-2">Status</th>
              <th>Client ID</th>
              <th>Since</th>
              <th>Principal</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((c) => (
              <tr key={c.clientId} className="border-t border-slate-200 dark:border-slate-800">
                <td className="py-2">
                  <StatusBadge status={c.status} />
                </td>
                <td className="font-mono">{c.clientId}</td>
                <td title={c.since ?? undefined}>{c.since ? new Date(c.since).toLocaleString() : "—"}</td>
                <td className="font-mono text-xs">{c.principalIdentifier ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
