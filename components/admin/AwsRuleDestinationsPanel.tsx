"use client";

import { useState } from "react";
import type { AwsRuleDestination } from "@/lib/sources/aws-destinations";
import { useAwsRuleDestinationsQuery } from "../hooks/use-aws-rule-destinations";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { pill, smallButton } from "./styles";

const code = "rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800";

function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<"copied" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <button type="button" className={smallButton} onClick={() => void copy()}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : "Copy"}
      <span className="sr-only"> {what}</span>
    </button>
  );
}

function AutoConfirm({ destination }: { destination: AwsRuleDestination }) {
  const status = destination.autoConfirmStatus;
  if (status === null) return null;
  const ok = status === "confirmed";
  return (
    <span
      className={`${pill} ${ok ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200" : "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200"}`}
      title={status}
    >
      {ok ? "auto-confirmed" : "auto-confirm failed"}
    </span>
  );
}

function Destination({ destination }: { destination: AwsRuleDestination }) {
  return (
    <li data-arn={destination.arn} className="space-y-2 py-3">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="break-all font-mono text-xs">{destination.arn}</span>
        <AutoConfirm destination={destination} />
        <span className="text-xs text-slate-600 dark:text-slate-400">
          received <LocalTime iso={destination.receivedAt} short />
        </span>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <a
          href={destination.enableUrl}
          target="_blank"
          rel="noreferrer noopener"
          className="text-sm text-sky-800 underline hover:no-underline dark:text-sky-300"
        >
          Open the enable URL<span className="sr-only"> of {destination.arn}</span>
        </a>
        <span className="text-xs text-slate-600 dark:text-slate-400">or run</span>
      </div>
      <div className="flex items-start gap-2">
        <code
          data-testid="confirm-command"
          className="block flex-1 overflow-x-auto whitespace-pre rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-50 dark:bg-slate-950"
        >
          {destination.confirmCommand}
        </code>
        <CopyButton text={destination.confirmCommand} what={`the command for ${destination.arn}`} />
      </div>
    </li>
  );
}

/** AWS IoT rule HTTPS destinations waiting for an admin to confirm them. */
export function AwsRuleDestinationsPanel() {
  const query = useAwsRuleDestinationsQuery();
  return (
    <Panel id="aws-rule-destinations" title="AWS IoT rule destinations">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        An AWS IoT rule with an HTTPS action to <code className={code}>/api/ingest/aws-rule</code>{" "}
        sends a confirmation first; AWS delivers nothing until the destination is confirmed. Confirm
        it with the enable URL or the AWS CLI.
        {query.data?.autoConfirm ? (
          <> AWS_RULE_AUTO_CONFIRM is on: the dashboard confirms them itself.</>
        ) : null}
      </p>
      <QueryErrorBanner query={query} />
      {query.isPending ? <Skeleton className="h-16 w-full" /> : null}
      {query.data?.items.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No confirmation received yet.</p>
      ) : null}
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {query.data?.items.map((d) => (
          <Destination key={d.arn} destination={d} />
        ))}
      </ul>
    </Panel>
  );
}
