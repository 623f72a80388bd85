"use client";

import type { IngestTokenView } from "@/lib/auth/schemas";
import {
  useCreateIngestToken,
  useIngestTokensQuery,
  useRevokeIngestToken,
} from "../hooks/use-admin";
import { TimeCell } from "./TimeCell";
import { NewTokenNotice } from "./NewTokenNotice";
import { td } from "./styles";
import { TokensPanel } from "./TokensPanel";
import { code, TokenStatePill } from "./TokensPanelParts";

/** Tokens for POST /api/ingest: created here (shown once), revocable, with their last use. */
export function IngestTokensPanel() {
  const tokens = useIngestTokensQuery();
  const create = useCreateIngestToken();
  const revoke = useRevokeIngestToken();
  return (
    <TokensPanel<IngestTokenView, NonNullable<typeof create.data>>
      prefix="token"
      id="ingest-tokens"
      title="Ingest tokens"
      intro={
        <>
          The bridge and other senders post lifecycle events to{" "}
          <code className={code}>POST /api/ingest</code> with{" "}
          <code className={code}>Authorization: Bearer &lt;token&gt;</code>. Give each sender its
          own token, so one can be revoked alone. <code className={code}>INGEST_TOKEN</code> from
          the environment keeps working beside these.
        </>
      }
      columns={["Name", "Prefix", "Created by", "Created", "Last used", "Status"]}
      query={tokens}
      empty={
        <>
          No tokens yet: senders use <code className={code}>INGEST_TOKEN</code> only.
        </>
      }
      cells={(token) => (
        <>
          <td className={`${td} font-medium`}>{token.name}</td>
          <td className={`${td} font-mono text-xs`}>{token.prefix}…</td>
          <td className={td}>
            {token.createdBy ?? <span className="text-slate-400 dark:text-slate-500">—</span>}
          </td>
          <TimeCell iso={token.createdAt} />
          <TimeCell iso={token.lastUsedAt} />
        </>
      )}
      status={(token) => (
        <TokenStatePill
          state={token.revokedAt !== null ? "revoked" : "active"}
          revokedAt={token.revokedAt}
        />
      )}
      revoke={revoke}
      kind="token"
      consequence={(prefix) => (
        <>
          Senders using {prefix} are refused (401) from now on. This cannot be undone; give them a
          new token first.
        </>
      )}
      create={create}
      form={{
        title: "New token",
        nameLabel: "Name (which sender uses it)",
        placeholder: "e.g. bridge eu-west-1",
        onCreate: (name, clear) => create.mutate(name, { onSuccess: clear }),
        submitLabel: "Create token",
      }}
      notice={(created, onDone) => (
        <NewTokenNotice name={created.info.name} token={created.token} onDone={onDone} />
      )}
    />
  );
}
