"use client";

import { useState } from "react";
import {
  useChannelsQuery,
  useDeleteChannel,
  useTestChannel,
  type TestResult,
} from "../hooks/use-alerts";
import { Panel } from "../ui/Panel";
import { smallButton, td } from "../admin/styles";
import { ChannelEditor } from "./ChannelEditor";
import { DeleteButton, SettingsTable } from "./SettingsTable";

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
      <SettingsTable
        testId="alert-channels"
        query={channels}
        empty="No channel yet."
        columns={["Name", "Type", "Target"]}
        admin={admin}
        cells={(c) => (
          <>
            <td className={td}>{c.name}</td>
            <td className={td}>{c.type}</td>
            <td className={`${td} max-w-xs truncate font-mono text-[13px]`}>
              {c.to ?? c.url ?? "default"}
            </td>
          </>
        )}
        actions={(c) => (
          <td className={`${td} whitespace-nowrap`}>
            <div className="flex items-center gap-2">
              <button
                type="button"
                className={smallButton}
                disabled={test.isPending}
                onClick={() =>
                  test.mutate(c.id, {
                    onSuccess: (r) => setResults((all) => ({ ...all, [c.id]: describe(r) })),
                    onError: (e) => setResults((all) => ({ ...all, [c.id]: e.message })),
                  })
                }
              >
                Send test
              </button>
              <DeleteButton what={`channel ${c.name}`} onDelete={() => remove.mutate(c.id)} />
              <span role="status" className="text-xs">
                {results[c.id] ?? ""}
              </span>
            </div>
          </td>
        )}
      />
      {admin ? <ChannelEditor /> : null}
    </Panel>
  );
}
