"use client";

import { AdminTableHead } from "./AdminTableHead";
import { useState, type FormEvent } from "react";
import type { IngestTokenView } from "@/lib/auth/schemas";
import {
  useCreateIngestToken,
  useIngestTokensQuery,
  useRevokeIngestToken,
} from "../hooks/use-admin";
import { ConfirmDialog, primaryButton } from "../ui/Dialog";
import { ErrorBanner } from "../ui/ErrorBanner";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { NewTokenNotice } from "./NewTokenNotice";
import { field, fieldLabel, pill, smallDangerButton, td } from "./styles";

const code = "rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800";

function TokenRow({ token, onRevoke }: { token: IngestTokenView; onRevoke: () => void }) {
  const revoked = token.revokedAt !== null;
  return (
    <tr
      data-token={token.name}
      className={revoked ? "text-slate-500 dark:text-slate-400" : undefined}
    >
      <td className={`${td} font-medium`}>{token.name}</td>
      <td className={`${td} font-mono text-xs`}>{token.prefix}…</td>
      <td className={td}>
        {token.createdBy ?? <span className="text-slate-400 dark:text-slate-500">—</span>}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <LocalTime iso={token.createdAt} short />
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <LocalTime iso={token.lastUsedAt} short />
      </td>
      <td className={`${td} whitespace-nowrap`} data-testid="token-status">
        {revoked ? (
          <span
            className={`${pill} bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200`}
          >
            revoked <LocalTime iso={token.revokedAt} short />
          </span>
        ) : (
          <span
            className={`${pill} bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200`}
          >
            active
          </span>
        )}
      </td>
      <td className={`${td} text-right`}>
        {revoked ? null : (
          <button type="button" onClick={onRevoke} className={smallDangerButton}>
            Revoke<span className="sr-only"> {token.name}</span>
          </button>
        )}
      </td>
    </tr>
  );
}

/** Tokens for POST /api/ingest: created here (shown once), revocable, with their last use. */
export function IngestTokensPanel() {
  const tokens = useIngestTokensQuery();
  const create = useCreateIngestToken();
  const revoke = useRevokeIngestToken();
  const [name, setName] = useState("");
  const [revoking, setRevoking] = useState<IngestTokenView | null>(null);
  const closeRevoke = () => {
    setRevoking(null);
    revoke.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(name.trim(), { onSuccess: () => setName("") });
  };

  return (
    <Panel id="ingest-tokens" title="Ingest tokens">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        The bridge and other senders post lifecycle events to{" "}
        <code className={code}>POST /api/ingest</code> with{" "}
        <code className={code}>Authorization: Bearer &lt;token&gt;</code>. Give each sender its own
        token, so one can be revoked alone. <code className={code}>INGEST_TOKEN</code> from the
        environment keeps working beside these.
      </p>
      {tokens.error ? (
        <ErrorBanner error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : null}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="tokens-table">
          <AdminTableHead
            columns={["Name", "Prefix", "Created by", "Created", "Last used", "Status"]}
          />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {tokens.data?.map((token) => (
              <TokenRow key={token.id} token={token} onRevoke={() => setRevoking(token)} />
            ))}
            {tokens.isPending ? (
              <tr>
                <td colSpan={7} className="px-3 py-2">
                  <Skeleton className="h-6 w-full" />
                </td>
              </tr>
            ) : null}
            {tokens.data?.length === 0 ? (
              <tr>
                <td
                  colSpan={7}
                  className="px-3 py-4 text-center text-slate-600 dark:text-slate-400"
                >
                  No tokens yet: senders use <code className={code}>INGEST_TOKEN</code> only.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>

      <form
        onSubmit={submit}
        aria-labelledby="create-token-title"
        className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
      >
        <h3 id="create-token-title" className="text-sm font-semibold">
          New token
        </h3>
        <div className="mt-2 flex flex-wrap items-end gap-3">
          <label className={`${fieldLabel} min-w-[16rem] flex-1 sm:flex-none`}>
            Name (which sender uses it)
            <input
              name="token-name"
              required
              maxLength={100}
              autoComplete="off"
              placeholder="e.g. bridge eu-west-1"
              value={name}
              onChange={(e) => setName(e.target.value)}
              className={field}
            />
          </label>
          <button type="submit" disabled={create.isPending} className={primaryButton}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
        </div>
        {create.error ? (
          <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
            {create.error.message}
          </p>
        ) : null}
      </form>
      {create.data ? (
        <NewTokenNotice
          name={create.data.info.name}
          token={create.data.token}
          onDone={() => create.reset()}
        />
      ) : null}

      {revoking ? (
        <ConfirmDialog
          title={`Revoke the token “${revoking.name}”?`}
          confirmLabel="Revoke"
          pending={revoke.isPending}
          error={revoke.error}
          onClose={closeRevoke}
          onConfirm={() => revoke.mutate(revoking.id, { onSuccess: closeRevoke })}
        >
          <p>
            Senders using <span className="font-mono">{revoking.prefix}…</span> are refused (401)
            from now on. This cannot be undone; give them a new token first.
          </p>
        </ConfirmDialog>
      ) : null}
    </Panel>
  );
}
