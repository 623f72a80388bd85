"use client";

import type { IngestTokenView } from "@/lib/auth/schemas";
import {
  useCreateIngestToken,
  useIngestTokensQuery,
  useRevokeIngestToken,
} from "../hooks/use-admin";
import { TimeCell } from "./TimeCell";
import { Panel } from "../ui/Panel";
import { NewTokenNotice } from "./NewTokenNotice";
import { td } from "./styles";
import {
  code,
  CreateTokenForm,
  RevokeCell,
  TokensTable,
  TokenStatePill,
  useRevokeDialog,
} from "./TokensPanelParts";

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
      <TimeCell iso={token.createdAt} />
      <TimeCell iso={token.lastUsedAt} />
      <td className={`${td} whitespace-nowrap`} data-testid="token-status">
        <TokenStatePill state={revoked ? "revoked" : "active"} revokedAt={token.revokedAt} />
      </td>
      <RevokeCell name={token.name} revoked={revoked} onRevoke={onRevoke} />
    </tr>
  );
}

/** Tokens for POST /api/ingest: created here (shown once), revocable, with their last use. */
export function IngestTokensPanel() {
  const tokens = useIngestTokensQuery();
  const create = useCreateIngestToken();
  const revoke = useRevokeIngestToken();
  const revoking = useRevokeDialog<IngestTokenView>(revoke, "token", (prefix) => (
    <>
      Senders using {prefix} are refused (401) from now on. This cannot be undone; give them a new
      token first.
    </>
  ));

  return (
    <Panel id="ingest-tokens" title="Ingest tokens">
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
        The bridge and other senders post lifecycle events to{" "}
        <code className={code}>POST /api/ingest</code> with{" "}
        <code className={code}>Authorization: Bearer &lt;token&gt;</code>. Give each sender its own
        token, so one can be revoked alone. <code className={code}>INGEST_TOKEN</code> from the
        environment keeps working beside these.
      </p>
      <TokensTable
        testId="tokens-table"
        columns={["Name", "Prefix", "Created by", "Created", "Last used", "Status"]}
        query={tokens}
        empty={
          <>
            No tokens yet: senders use <code className={code}>INGEST_TOKEN</code> only.
          </>
        }
        row={(token) => (
          <TokenRow key={token.id} token={token} onRevoke={() => revoking.ask(token)} />
        )}
      />

      <CreateTokenForm
        idPrefix="token"
        title="New token"
        nameLabel="Name (which sender uses it)"
        placeholder="e.g. bridge eu-west-1"
        create={create}
        onCreate={(name, clear) => create.mutate(name, { onSuccess: clear })}
        submitLabel="Create token"
      />
      {create.data ? (
        <NewTokenNotice
          name={create.data.info.name}
          token={create.data.token}
          onDone={() => create.reset()}
        />
      ) : null}

      {revoking.dialog}
    </Panel>
  );
}
