"use client";

import { useState } from "react";
import type { ApiTokenView, Role } from "@/lib/auth/schemas";
import { useApiTokensQuery, useCreateApiToken, useRevokeApiToken } from "../hooks/use-api-tokens";
import { LocalTime } from "../ui/LocalTime";
import { TimeCell } from "./TimeCell";
import { Panel } from "../ui/Panel";
import { NewTokenNotice } from "./NewTokenNotice";
import { RoleField } from "./RoleField";
import { field, fieldLabel, td } from "./styles";
import {
  code,
  CreateTokenForm,
  RevokeCell,
  TokensTable,
  TokenStatePill,
  useRevokeDialog,
} from "./TokensPanelParts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Lifetimes offered; a token that must outlive a year is a decision worth a new one. */
const LIFETIMES = [
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never expires", days: 0 },
] as const;

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
      <TimeCell iso={token.lastUsedAt} />
      <td className={`${td} whitespace-nowrap`} data-testid="api-token-status">
        <TokenStatePill state={token.state} revokedAt={token.revokedAt} />
        {token.revokedBy !== null ? (
          <span className="block text-xs text-slate-500 dark:text-slate-400">
            by {token.revokedBy}
          </span>
        ) : null}
      </td>
      <RevokeCell name={token.name} revoked={revoked} onRevoke={onRevoke} />
    </tr>
  );
}

/** Tokens for scripts and scrapers: any read API as a viewer, admin APIs too as an admin. */
export function ApiTokensPanel() {
  const tokens = useApiTokensQuery();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState<number>(90);
  const revoking = useRevokeDialog<ApiTokenView>(revoke, "API token", (prefix) => (
    <>Calls with {prefix} are refused (401) from now on. This cannot be undone.</>
  ));

  const submit = (name: string, clear: () => void) => {
    const expiresAt = days === 0 ? undefined : new Date(Date.now() + days * DAY_MS).toISOString();
    create.mutate({ name, role, expiresAt }, { onSuccess: clear });
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
      <TokensTable
        testId="api-tokens-table"
        columns={["Name", "Role", "Prefix", "Created", "Expires", "Last used", "Status"]}
        query={tokens}
        empty="No API tokens yet."
        row={(token) => (
          <TokenRow key={token.id} token={token} onRevoke={() => revoking.ask(token)} />
        )}
      />

      <CreateTokenForm
        idPrefix="api-token"
        title="New API token"
        nameLabel="Name (who or what uses it)"
        placeholder="e.g. prometheus"
        create={create}
        onCreate={submit}
        submitLabel="Create API token"
      >
        <RoleField
          name="api-token-role"
          role={role}
          onRole={setRole}
          selectClass={field}
          optionLabels={{ viewer: "viewer (read)", admin: "admin (read and write)" }}
        />
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
      </CreateTokenForm>
      {create.data ? (
        <NewTokenNotice
          name={create.data.name}
          token={create.data.token}
          kind="API token"
          power={create.data.role === "admin" ? "read and change everything" : "read everything"}
          onDone={() => create.reset()}
        />
      ) : null}

      {revoking.dialog}
    </Panel>
  );
}
