"use client";

// The ingest-token and API-token panels are one panel with different columns
// and create fields: this is it. `prefix` names what tests and forms find:
// the table (`<prefix>s-table`), a row (`tr[data-<prefix>=name]`), its status
// cell (`<prefix>-status`) and the create form's fields (`<prefix>-name`).
import type { ReactNode } from "react";
import { Panel } from "../ui/Panel";
import { td } from "./styles";
import { CreateTokenForm, RevokeCell, TokensTable, useRevokeDialog } from "./TokensPanelParts";

type Token = { id: string; name: string; prefix: string; revokedAt: string | null };
type CreateForm = Omit<Parameters<typeof CreateTokenForm>[0], "idPrefix" | "create">;

export function TokensPanel<T extends Token, Created>({
  prefix,
  id,
  title,
  intro,
  columns,
  query,
  empty,
  cells,
  status,
  revoke,
  kind,
  consequence,
  create,
  form,
  notice,
}: {
  prefix: string;
  id: string;
  title: string;
  intro: ReactNode;
  /** The table's column titles, the status last. */
  columns: readonly string[];
  query: Parameters<typeof TokensTable<T>>[0]["query"];
  empty: ReactNode;
  /** A row's cells before its status. */
  cells: (token: T) => ReactNode;
  status: (token: T) => ReactNode;
  revoke: Parameters<typeof useRevokeDialog<T>>[0];
  /** What the revoke dialog calls a token, and what revoking one does. */
  kind: string;
  consequence: Parameters<typeof useRevokeDialog<T>>[2];
  create: { isPending: boolean; error: Error | null; data?: Created; reset: () => void };
  form: CreateForm;
  /** The new token, shown once; `onDone` hides it. */
  notice: (created: Created, onDone: () => void) => ReactNode;
}) {
  const revoking = useRevokeDialog<T>(revoke, kind, consequence);
  return (
    <Panel id={id} title={title}>
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">{intro}</p>
      <TokensTable
        testId={`${prefix}s-table`}
        columns={columns}
        query={query}
        empty={empty}
        row={(token) => {
          const revoked = token.revokedAt !== null;
          return (
            <tr
              key={token.id}
              {...{ [`data-${prefix}`]: token.name }}
              className={revoked ? "text-slate-500 dark:text-slate-400" : undefined}
            >
              {cells(token)}
              <td className={`${td} whitespace-nowrap`} data-testid={`${prefix}-status`}>
                {status(token)}
              </td>
              <RevokeCell
                name={token.name}
                revoked={revoked}
                onRevoke={() => revoking.ask(token)}
              />
            </tr>
          );
        }}
      />
      <CreateTokenForm idPrefix={prefix} create={create} {...form} />
      {create.data !== undefined ? notice(create.data, () => create.reset()) : null}
      {revoking.dialog}
    </Panel>
  );
}
