"use client";

import { ApiTokensPanel } from "./ApiTokensPanel";
import { AwsRuleDestinationsPanel } from "./AwsRuleDestinationsPanel";
import { IngestTokensPanel } from "./IngestTokensPanel";
import { OperatorsPanel } from "./OperatorsPanel";

/** Accounts and ingest tokens: what an admin manages. */
export function AdminPage({ currentUsername }: { currentUsername: string }) {
  return (
    <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Administration</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Who may log in, which senders may post lifecycle events, and which machines may call the
          API.
        </p>
      </div>
      <OperatorsPanel currentUsername={currentUsername} />
      <IngestTokensPanel />
      <ApiTokensPanel />
      <AwsRuleDestinationsPanel />
    </main>
  );
}
