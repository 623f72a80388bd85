"use client";

import {
  useChannelsQuery,
  useDeleteRule,
  useRulesQuery,
  useUpdateRule,
  type RuleView,
} from "../hooks/use-alerts";
import { Panel } from "../ui/Panel";
import { smallButton, td } from "../admin/styles";
import { RuleEditor } from "./RuleEditor";
import { DeleteButton, SettingsTable } from "./SettingsTable";
import { describeSelector } from "./selector-text";

function condition(r: RuleView): string {
  switch (r.kind) {
    case "client_offline":
      return `offline past grace + ${r.forSeconds} s`;
    case "client_flapping":
      return `flapping${r.threshold ? ` (${r.threshold} disconnects)` : ""}`;
    case "connect_failed":
      return `${r.threshold} failed attempts in ${r.windowSeconds} s`;
    case "fleet_online_below":
      return `online below ${[r.threshold !== null ? `${r.threshold}` : null, r.thresholdShare !== null ? `${Math.round(r.thresholdShare * 100)} %` : null].filter(Boolean).join(" or ")}`;
    case "incident":
      return "an incident opens (updates, then over)";
    default:
      return r.kind;
  }
}

export function RulesPanel({ admin }: { admin: boolean }) {
  const rules = useRulesQuery();
  const channels = useChannelsQuery();
  const update = useUpdateRule();
  const remove = useDeleteRule();
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? "?";
  return (
    <Panel title="Rules" id="alert-rules">
      <SettingsTable
        testId="alert-rules"
        query={rules}
        empty="No rule yet."
        columns={["Name", "When", "Clients", "Channels"]}
        admin={admin}
        cells={(r) => (
          <>
            <td className={td}>
              {r.name}
              {r.enabled ? null : (
                <span className="ml-1 text-xs text-slate-600 dark:text-slate-400">(paused)</span>
              )}
            </td>
            <td className={td}>{condition(r)}</td>
            <td className={`${td} font-mono text-[13px]`}>{describeSelector(r.selector, "all")}</td>
            <td className={td}>{r.channelIds.map(channelName).join(", ") || "—"}</td>
          </>
        )}
        actions={(r) => (
          <td className={`${td} space-x-2 whitespace-nowrap`}>
            <button
              type="button"
              className={smallButton}
              onClick={() => update.mutate({ id: r.id, change: { enabled: !r.enabled } })}
            >
              {r.enabled ? "Pause" : "Resume"}
            </button>
            <DeleteButton what={`rule ${r.name}`} onDelete={() => remove.mutate(r.id)} />
          </td>
        )}
      />
      {admin ? <RuleEditor /> : null}
    </Panel>
  );
}
