"use client";

import type { OperatorView, Role } from "@/lib/auth/schemas";
import { LocalTime } from "../ui/LocalTime";
import { TimeCell } from "./TimeCell";
import { field, pill, smallButton, smallDangerButton, td } from "./styles";

function OperatorStatus({ operator }: { operator: OperatorView }) {
  if (operator.disabled) {
    return (
      <span className={`${pill} bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200`}>
        disabled
      </span>
    );
  }
  if (operator.lockedUntil !== null) {
    return (
      <span
        data-testid="locked-until"
        title="Too many failed logins. Resetting the password unlocks the account now."
        className={`${pill} bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200`}
      >
        locked until <LocalTime iso={operator.lockedUntil} short />
      </span>
    );
  }
  return (
    <span
      className={`${pill} bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200`}
    >
      active
    </span>
  );
}

/** An action of a row's Actions cell. */
interface RowAction {
  label: string;
  onClick: () => void;
  /** Demoting-like actions: refused on your own row. */
  notOnSelf: boolean;
  danger?: boolean;
}

/**
 * One account. Your own row cannot demote, disable or delete you: that is
 * for another admin, so nobody locks themselves out by a slip.
 */
export function OperatorRow({
  operator,
  self,
  busy,
  onRole,
  onEnable,
  onDisable,
  onPassword,
  onDelete,
}: {
  operator: OperatorView;
  self: boolean;
  busy: boolean;
  onRole: (role: Role) => void;
  onEnable: () => void;
  onDisable: () => void;
  onPassword: () => void;
  onDelete: () => void;
}) {
  const selfHint = self ? "Another admin must do this for your own account." : undefined;
  // A disabled account's details fade; its buttons keep their normal look (they still work).
  const data = operator.disabled ? `${td} text-slate-500 dark:text-slate-400` : td;
  const actions: RowAction[] = [
    operator.disabled
      ? { label: "Enable", onClick: onEnable, notOnSelf: false }
      : { label: "Disable", onClick: onDisable, notOnSelf: true },
    { label: "Reset password", onClick: onPassword, notOnSelf: false },
    { label: "Delete", onClick: onDelete, notOnSelf: true, danger: true },
  ];
  return (
    <tr data-operator={operator.username}>
      <td className={`${data} font-medium`}>
        {operator.username}
        {self ? (
          <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">(you)</span>
        ) : null}
      </td>
      <td className={td}>
        <select
          aria-label={`Role of ${operator.username}`}
          value={operator.role}
          disabled={self || busy}
          title={selfHint}
          onChange={(e) => onRole(e.target.value as Role)}
          className={`${field} py-1 text-xs`}
        >
          <option value="viewer">viewer</option>
          <option value="admin">admin</option>
        </select>
      </td>
      <td className={td}>
        <OperatorStatus operator={operator} />
      </td>
      <TimeCell iso={operator.lastLoginAt} cell={data} />
      <TimeCell iso={operator.createdAt} cell={data} />
      <td className={`${td} whitespace-nowrap text-right`}>
        <div className="inline-flex gap-1.5">
          {actions.map((action, slot) => (
            <button
              // By position: Enable and Disable share a slot, so the button (and its focus) stays.
              key={slot}
              type="button"
              onClick={action.onClick}
              // What you may not do to yourself is disabled on your own row, saying why.
              disabled={(action.notOnSelf && self) || busy}
              title={action.notOnSelf ? selfHint : undefined}
              className={action.danger ? smallDangerButton : smallButton}
            >
              {action.label}
              <span className="sr-only"> {operator.username}</span>
            </button>
          ))}
        </div>
      </td>
    </tr>
  );
}
