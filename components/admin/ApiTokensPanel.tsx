"use client";

import { useState, type FormEvent } from "react";
import type { ApiTokenView, Role } from "@/lib/auth/schemas";
import { useApiTokensQuery, useCreateApiToken, useRevokeApiToken } from "../hooks/use-api-tokens";
import { ConfirmDialog, primaryButton } from "../ui/Dialog";
import { ErrorBanner } from "../ui/ErrorBanner";
import { LocalTime } from "../ui/LocalTime";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { AdminTableHead } from "./AdminTableHead";
import { NewTokenNotice } from "./NewTokenNotice";
import { field, fieldLabel, pill, smallDangerButton, td } from "./styles";

const code = "rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Lifetimes offered; a token that must outlive a year is a decision worth a new one. */
const LIFETIMES = [
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never expires", days: 0 },
] as const;

function TokenState({ token }: { token: ApiTokenView }) {
  const style = (tone: string) => `${pill} ${tone}`;
  if (token.state === "revoked")
    return (
      <span className={style("bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200")}>
        revoked <LocalTime iso={token.revokedAt} short />
      </span>
    );
  if (token.state === "expired")
    return (
      <span className={style("bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200")}>
        expired
      </span>
    );
  return (
    <span
      className={style("bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200")}
    >
      active
    </span>
  );
}

function TokenRow({ token, onRevoke }: { token: ApiTokenView; onRevoke: () => void }) {
  const revoked = token.revokedAt !== null;
  const none = <span className="text-slate-500 dark:text-slate-400">never</span>;
  return (
    <tr
      data-api-token={token.name}
      className={revoked ? "text-slate-500 dark:text-slate-400" : undefined}
    >
      <td className={`${td} font-medium`}>{token.name}</td>
      <td className={td}>{token.role}</td>
      <td className={`${td} font-mono text-xs`}>{token.prefix}…</td>
      <td className={`${td} whitespace-nowrap`}>
        <LocalTime iso={token.createdAt} short />
        <span className="block text-xs text-slate-500 dark:text-slate-400">
          by {token.createdBy}
        </span>
      </td>
      <td className={`${td} whitespace-nowrap`}>
        {token.expiresAt === null ? none : <LocalTime iso={token.expiresAt} short />}
      </td>
      <td className={`${td} whitespace-nowrap`}>
        <LocalTime iso={token.lastUsedAt} short />
      </td>
      <td className={`${td} whitespace-nowrap`} data-testid="api-token-status">
        <TokenState token={token} />
        {token.revokedBy !== null ? (
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            by {token.revokedBy}
          </span>
        ) : null}
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

/** Tokens for scripts and scrapers: any read API as a viewer, admin APIs too as an admin. */
export function ApiTokensPanel() {
  const tokens = useApiTokensQuery();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState<number>(90);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  const closeRevoke = () => {
    setRevoking(null);
    revoke.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const expiresAt = days === 0 ? undefined : new Date(Date.now() + days * DAY_MS).toISOString();
    create.mutate({ name: name.trim(), role, expiresAt }, { onSuccess: () => setName("") });
  };

  return (
    <Panel id="api-tokens" title="API tokens">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        Scripts, Prometheus and other machines call the API with{" "}
        <code className={code}>Authorization: Bearer &lt;token&gt;</code>, no login. A{" "}
        <em>viewer</em> token reads everything (and <code className={code}>/metrics</code>); an{" "}
        <em>admin</em> token may also change settings. The API is described at{" "}
        <a href="/api-reference" className="text-sky-700 underline dark:text-sky-300">
          API reference
        </a>
        .
      </p>
      {tokens.error ? (
        <ErrorBanner error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : null}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="api-tokens-table">
          <AdminTableHead
            columns={["Name", "Role", "Prefix", "Created", "Expires", "Last used", "Status"]}
          />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {tokens.data?.map((token) => (
              <TokenRow key={token.id} token={token} onRevoke={() => setRevoking(token)} />
            ))}
            {tokens.isPending ? (
              <tr>
                <td colSpan={8} className="px-3 py-2">
                  <Skeleton className="h-6 w-full" />
                </td>
              </tr>
            ) : null}
            {tokens.data?.length === 0 ? (
              <tr>
                <td
                  colSpan={8}
                  className="px-3 py-4 text-center text-slate-600 dark:text-slate-400"
                >
                  No API tokens yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>

      <form
        onSubmit={submit}
        aria-labelledby="create-api-token-title"
        className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
      >
        <h3 id="create-api-token-title" className="text-sm font-semibold">
          New API token
        </h3>
        <div className="mt-2 flex flex-wrap items-end gap-3">
          <label className={`${fieldLabel} min-w-[16rem] flex-1 sm:flex-none`}>
            Name (who or what uses it)
            <input
              name="api-token-name"
              required
              maxLength={100}
              autoComplete="off"
              placeholder="e.g. prometheus"
              value={name}
              onChange={(e) => setName(e.target.value)}
              className={field}
            />
          </label>
          <label className={fieldLabel}>
            Role
            <select
              name="api-token-role"
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
              className={field}
            >
              <option value="viewer">viewer (read)</option>
              <option value="admin">admin (read and write)</option>
            </select>
          </label>
          <label className={fieldLabel}>
            Expires after
            <select
              name="api-token-lifetime"
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
              className={field}
            >
              {LIFETIMES.map((l) => (
                <option key={l.days} value={l.days}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={create.isPending} className={primaryButton}>
            {create.isPending ? "Creating…" : "Create API token"}
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
          name={create.data.name}
          token={create.data.token}
          kind="API token"
          power={create.data.role === "admin" ? "read and change everything" : "read everything"}
          onDone={() => create.reset()}
        />
      ) : null}

      {revoking ? (
        <ConfirmDialog
          title={`Revoke the API token “${revoking.name}”?`}
          confirmLabel="Revoke"
          pending={revoke.isPending}
          error={revoke.error}
          onClose={closeRevoke}
          onConfirm={() => revoke.mutate(revoking.id, { onSuccess: closeRevoke })}
        >
          <p>
            Calls with <span className="font-mono">{revoking.prefix}…</span> are refused (401) from
            now on. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </Panel>
  );
}
