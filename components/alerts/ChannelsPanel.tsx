"use client";

import { useState } from "react";
import {
  useChannelsQuery,
  useDeleteChannel,
  useTestChannel,
  type TestResult,
} from "../hooks/use-alerts";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Panel } from "../ui/Panel";
import { smallButton, smallDangerButton, td, th } from "../admin/styles";
import { ChannelEditor } from "./ChannelEditor";

function describe(result: TestResult): string {
  if (result.ok) return `Test sent${result.httpStatus ? ` (HTTP ${result.httpStatus})` : ""}.`;
  return `Test failed: ${result.error ?? "unknown error"}`;
}

export function ChannelsPanel({ admin }: { admin: boolean }) {
  const channels = useChannelsQuery();
  const test = useTestChannel();
  const remove = useDeleteChannel();
  const [results, setResults] = useState<Record<string, string>>({});
  return (
    <Panel title="Channels" id="alert-channels">
      {channels.error ? <ErrorBanner error={channels.error} /> : null}
      {(channels.data ?? []).length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">No channel yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="alert-channels">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-800">
                <th className={th}>Name</th>
                <th className={th}>Type</th>
                <th className={th}>Target</th>
                {admin ? <th className={th}>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {(channels.data ?? []).map((c) => (
                <tr key={c.id} className="border-b border-slate-100 dark:border-slate-800/60">
                  <td className={td}>{c.name}</td>
                  <td className={td}>{c.type}</td>
                  <td className={`${td} max-w-xs truncate font-mono text-[13px]`}>
                    {c.to ?? c.url ?? "default"}
                  </td>
                  {admin ? (
                    <td className={`${td} whitespace-nowrap`}>
                      <div className="flex items-center gap-2">
                        <button
                          type="button"
                          className={smallButton}
                          disabled={test.isPending}
                          onClick={() =>
                            test.mutate(c.id, {
                              onSuccess: (r) =>
                                setResults((all) => ({ ...all, [c.id]: describe(r) })),
                              onError: (e) => setResults((all) => ({ ...all, [c.id]: e.message })),
                            })
                          }
                        >
                          Send test
                        </button>
                        <button
                          type="button"
                          className={smallDangerButton}
                          aria-label={`Delete channel ${c.name}`}
                          onClick={() => remove.mutate(c.id)}
                        >
                          Delete
                        </button>
                        <span role="status" className="text-xs">
                          {results[c.id] ?? ""}
                        </span>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin ? <ChannelEditor /> : null}
    </Panel>
  );
}
