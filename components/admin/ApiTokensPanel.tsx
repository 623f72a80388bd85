"use client";

import { useState } from "react";
import type { ApiTokenView, Role } from "@/lib/auth/schemas";
import { useApiTokensQuery, useCreateApiToken, useRevokeApiToken } from "../hooks/use-api-tokens";
import { LocalTime } from "../ui/LocalTime";
import { TimeCell } from "./TimeCell";
import { NewTokenNotice } from "./NewTokenNotice";
import { RoleField } from "./RoleField";
import { SelectField } from "../alerts/EditorFields";
import { field, td } from "./styles";
import { TokensPanel } from "./TokensPanel";
import { code, TokenStatePill } from "./TokensPanelParts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Lifetimes offered, in days; a token that must outlive a year is a decision worth a new one. */
const LIFETIMES = [
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never expires", days: 0 },
].map(({ label, days }) => ({ label, value: String(days) }));

const muted = "text-slate-500 dark:text-slate-400";

/** Tokens for scripts and scrapers: any read API as a viewer, admin APIs too as an admin. */
export function ApiTokensPanel() {
  const tokens = useApiTokensQuery();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState<number>(90);

  const submit = (name: string, clear: () => void) => {
    const expiresAt = days === 0 ? undefined : new Date(Date.now() + days * DAY_MS).toISOString();
    create.mutate({ name, role, expiresAt }, { onSuccess: clear });
  };

  return (
    <TokensPanel<ApiTokenView, NonNullable<typeof create.data>>
      prefix="api-token"
      id="api-tokens"
      title="API tokens"
      intro={
        <>
          Scripts, Prometheus and other machines call the API with{" "}
          <code className={code}>Authorization: Bearer &lt;token&gt;</code>, no login. A{" "}
          <em>viewer</em> token reads everything (and <code className={code}>/metrics</code>); an{" "}
          <em>admin</em> token may also change settings. The API is described at{" "}
          <a href="/api-reference" className="text-sky-700 underline dark:text-sky-300">
            API reference
          </a>
          .
        </>
      }
      columns={["Name", "Role", "Prefix", "Created", "Expires", "Last used", "Status"]}
      query={tokens}
      empty="No API tokens yet."
      cells={(token) => (
        <>
          <td className={`${td} font-medium`}>{token.name}</td>
          <td className={td}>{token.role}</td>
          <td className={`${td} font-mono text-xs`}>{token.prefix}…</td>
          <td className={`${td} whitespace-nowrap`}>
            <LocalTime iso={token.createdAt} short />
            <span className={`block text-xs ${muted}`}>by {token.createdBy}</span>
          </td>
          <td className={`${td} whitespace-nowrap`}>
            {token.expiresAt === null ? (
              <span className={muted}>never</span>
            ) : (
              <LocalTime iso={token.expiresAt} short />
            )}
          </td>
          <TimeCell iso={token.lastUsedAt} />
        </>
      )}
      status={(token) => (
        <>
          <TokenStatePill state={token.state} revokedAt={token.revokedAt} />
          {token.revokedBy !== null ? (
            <span className={`block text-xs ${muted}`}>by {token.revokedBy}</span>
          ) : null}
        </>
      )}
      revoke={revoke}
      kind="API token"
      consequence={(prefix) => (
        <>Calls with {prefix} are refused (401) from now on. This cannot be undone.</>
      )}
      create={create}
      form={{
        title: "New API token",
        nameLabel: "Name (who or what uses it)",
        placeholder: "e.g. prometheus",
        onCreate: submit,
        submitLabel: "Create API token",
        children: (
          <>
            <RoleField
              name="api-token-role"
              role={role}
              onRole={setRole}
              selectClass={field}
              optionLabels={{ viewer: "viewer (read)", admin: "admin (read and write)" }}
            />
            <SelectField
              label="Expires after"
              name="api-token-lifetime"
              value={String(days)}
              onValue={(value) => setDays(Number(value))}
              options={LIFETIMES}
              selectClass={field}
            />
          </>
        ),
      }}
      notice={(created, onDone) => (
        <NewTokenNotice
          name={created.name}
          token={created.token}
          kind="API token"
          power={created.role === "admin" ? "read and change everything" : "read everything"}
          onDone={onDone}
        />
      )}
    />
  );
}
