"use client";

// What the ingest-token and API-token panels share: the table with its
// loading and empty rows, the status pill, the revoke cell and its
// confirmation, and the create form.
import { useState, type ReactNode } from "react";
import { ConfirmDialog, primaryButton } from "../ui/Dialog";
import { EditorForm } from "../ui/EditorForm";
import { QueryErrorBanner } from "../ui/ErrorBanner";
import { LocalTime } from "../ui/LocalTime";
import { Skeleton } from "../ui/Skeleton";
import { AdminTableHead } from "./AdminTableHead";
import { field, fieldLabel, pill, smallDangerButton, td } from "./styles";

export const code = "rounded bg-slate-100 px-1 font-mono text-xs dark:bg-slate-800";

const tones = {
  revoked: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
  expired: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  active: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
} as const;

/** A token's state as a pill; a revoked one says when. */
export function TokenStatePill({
  state,
  revokedAt,
}: {
  state: keyof typeof tones;
  revokedAt: string | null;
}) {
  return (
    <span className={`${pill} ${tones[state]}`}>
      {state}
      {state === "revoked" ? (
        <>
          {" "}
          <LocalTime iso={revokedAt} short />
        </>
      ) : null}
    </span>
  );
}

/** The row's action cell: a Revoke button, none once revoked. */
export function RevokeCell({
  name,
  revoked,
  onRevoke,
}: {
  name: string;
  revoked: boolean;
  onRevoke: () => void;
}) {
  return (
    <td className={`${td} text-right`}>
      {revoked ? null : (
        <button type="button" onClick={onRevoke} className={smallDangerButton}>
          Revoke<span className="sr-only"> {name}</span>
        </button>
      )}
    </td>
  );
}

/**
 * The tokens table: the query's error if it failed, a row each, a skeleton
 * while loading, `empty` when there are none.
 */
export function TokensTable<T>({
  testId,
  columns,
  query,
  empty,
  row,
}: {
  testId: string;
  columns: readonly string[];
  query: {
    data?: readonly T[];
    error: Error | null;
    isPending: boolean;
    refetch: () => Promise<unknown>;
  };
  empty: ReactNode;
  /** A token's row (a keyed `<tr>`). */
  row: (token: T) => ReactNode;
}) {
  const span = columns.length + 1;
  return (
    <>
      <QueryErrorBanner query={query} />
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid={testId}>
          <AdminTableHead columns={columns} />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {query.data?.map(row)}
            {query.isPending ? (
              <tr>
                <td colSpan={span} className="px-3 py-2">
                  <Skeleton className="h-6 w-full" />
                </td>
              </tr>
            ) : null}
            {query.data?.length === 0 ? (
              <tr>
                <td
                  colSpan={span}
                  className="px-3 py-4 text-center text-slate-600 dark:text-slate-400"
                >
                  {empty}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The create form: a name, any further fields, the submit button and the error. */
export function CreateTokenForm({
  idPrefix,
  title,
  nameLabel,
  placeholder,
  create,
  onCreate,
  submitLabel,
  children,
}: {
  /** `<idPrefix>-name` names the input, `create-<idPrefix>-title` the heading. */
  idPrefix: string;
  title: string;
  nameLabel: string;
  placeholder: string;
  /** The create mutation: the button waits while it runs, its error shows below. */
  create: { isPending: boolean; error: Error | null };
  /** Creates a token of this (trimmed) name; `clear` empties the field, for once it succeeded. */
  onCreate: (name: string, clear: () => void) => void;
  submitLabel: string;
  children?: ReactNode;
}) {
  const [name, setName] = useState("");
  return (
    <EditorForm
      id={`create-${idPrefix}`}
      title={title}
      onSubmit={() => onCreate(name.trim(), () => setName(""))}
      fields={
        <>
          <label className={`${fieldLabel} min-w-[16rem] flex-1 sm:flex-none`}>
            {nameLabel}
            <input
              name={`${idPrefix}-name`}
              required
              maxLength={100}
              autoComplete="off"
              placeholder={placeholder}
              value={name}
              onChange={(e) => setName(e.target.value)}
              className={field}
            />
          </label>
          {children}
          <button type="submit" disabled={create.isPending} className={primaryButton}>
            {create.isPending ? "Creating…" : submitLabel}
          </button>
        </>
      }
    >
      {create.error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {create.error.message}
        </p>
      ) : null}
    </EditorForm>
  );
}

/** What the revoke confirmation needs of a token and of its revoke mutation. */
type Revocable = { id: string; name: string; prefix: string };
type RevokeMutation = {
  isPending: boolean;
  error: Error | null;
  reset: () => void;
  mutate: (id: string, options: { onSuccess: () => void }) => void;
};

/**
 * The revoke confirmation of a tokens panel: `ask(token)` opens it, `dialog`
 * is what to render. `kind` names the token in the title, `consequence`
 * says what revoking it does.
 */
export function useRevokeDialog<T extends Revocable>(
  revoke: RevokeMutation,
  kind: string,
  consequence: (prefix: ReactNode) => ReactNode,
) {
  const [revoking, setRevoking] = useState<T | null>(null);
  const close = () => {
    setRevoking(null);
    revoke.reset();
  };
  const dialog = revoking ? (
    <ConfirmDialog
      title={`Revoke the ${kind} “${revoking.name}”?`}
      confirmLabel="Revoke"
      pending={revoke.isPending}
      error={revoke.error}
      onClose={close}
      onConfirm={() => revoke.mutate(revoking.id, { onSuccess: close })}
    >
      <p>{consequence(<span className="font-mono">{revoking.prefix}…</span>)}</p>
    </ConfirmDialog>
  ) : null;
  return { ask: setRevoking, dialog };
}
