"use client";

import { AdminTableHead } from "./AdminTableHead";
import { useState } from "react";
import type { OperatorView } from "@/lib/auth/schemas";
import { useDeleteOperator, useOperatorsQuery, useUpdateOperator } from "../hooks/use-admin";
import { ConfirmDialog } from "../ui/Dialog";
import { ErrorNote, QueryErrorBanner } from "../ui/ErrorBanner";
import { Panel } from "../ui/Panel";
import { Skeleton } from "../ui/Skeleton";
import { CreateOperatorForm } from "./CreateOperatorForm";
import { OperatorRow } from "./OperatorRow";
import { ResetPasswordDialog } from "./ResetPasswordDialog";

type Pending =
  | { kind: "disable"; operator: OperatorView }
  | { kind: "delete"; operator: OperatorView }
  | { kind: "password"; operator: OperatorView };

/** Operator accounts: list, create, role, disable/enable, password reset, delete. */
export function OperatorsPanel({ currentUsername }: { currentUsername: string }) {
  const operators = useOperatorsQuery();
  const update = useUpdateOperator();
  const remove = useDeleteOperator();
  const [pending, setPending] = useState<Pending | null>(null);
  const close = () => {
    setPending(null);
    update.reset();
    remove.reset();
  };
  const isSelf = (o: OperatorView) => o.username.toLowerCase() === currentUsername.toLowerCase();

  return (
    <Panel id="operators" title="Operators">
      <QueryErrorBanner query={operators} />
      {/* Role changes and enabling act at once; their errors (e.g. 409, the last admin) show here. */}
      <ErrorNote error={pending === null ? update.error : null} layout="mb-3 text-sm" />
      <div className="overflow-x-auto">
        <table className="w-full text-sm" data-testid="operators-table">
          <AdminTableHead columns={["Username", "Role", "Status", "Last login", "Created"]} />
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {operators.data
              ? operators.data.map((operator) => (
                  <OperatorRow
                    key={operator.id}
                    operator={operator}
                    self={isSelf(operator)}
                    busy={update.isPending && update.variables?.id === operator.id}
                    onRole={(role) => update.mutate({ id: operator.id, change: { role } })}
                    onEnable={() => update.mutate({ id: operator.id, change: { disabled: false } })}
                    onDisable={() => setPending({ kind: "disable", operator })}
                    onPassword={() => setPending({ kind: "password", operator })}
                    onDelete={() => setPending({ kind: "delete", operator })}
                  />
                ))
              : operators.isPending
                ? [0, 1].map((i) => (
                    <tr key={i}>
                      <td colSpan={6} className="px-3 py-2">
                        <Skeleton className="h-6 w-full" />
                      </td>
                    </tr>
                  ))
                : null}
          </tbody>
        </table>
      </div>
      <CreateOperatorForm />

      {pending?.kind === "disable" ? (
        <ConfirmDialog
          title={`Disable “${pending.operator.username}”?`}
          confirmLabel="Disable"
          pending={update.isPending}
          error={update.error}
          onClose={close}
          onConfirm={() =>
            update.mutate(
              { id: pending.operator.id, change: { disabled: true } },
              { onSuccess: close },
            )
          }
        >
          <p>
            Their sessions end at once and they cannot log in until an admin enables the account
            again.
          </p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete “${pending.operator.username}”?`}
          confirmLabel="Delete"
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() => remove.mutate(pending.operator.id, { onSuccess: close })}
        >
          <p>
            The account and its sessions are removed for good. To keep the name reserved, disable it
            instead.
          </p>
        </ConfirmDialog>
      ) : null}
      {pending?.kind === "password" ? (
        <ResetPasswordDialog
          operator={pending.operator}
          self={isSelf(pending.operator)}
          onClose={close}
        />
      ) : null}
    </Panel>
  );
}
