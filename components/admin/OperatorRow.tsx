"use client";

import type { OperatorView, Role } from "@/lib/auth/schemas";
import { LocalTime } from "../ui/LocalTime";
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

/** An action on one operator's row; screen readers hear whose (the visible label names only the action). */
function RowAction({
  label,
  username,
  onClick,
  disabled,
  title,
  danger = false,
}: {
  label: string;
  username: string;
  onClick: () => void;
  disabled: boolean;
  title?: string;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      title={title}
      className={danger ? smallDangerButton : smallButton}
    >
      {label}
      <span className="sr-only"> {username}</span>
    </button>
  );
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
      <td className={`${data} whitespace-nowrap`}>
        <LocalTime iso={operator.lastLoginAt} short />
      </td>
      <td className={`${data} whitespace-nowrap`}>
        <LocalTime iso={operator.createdAt} short />
      </td>
      <td className={`${td} whitespace-nowrap text-right`}>
        <div className="inline-flex gap-1.5">
          {operator.disabled ? (
            <RowAction
              label="Enable"
              username={operator.username}
              onClick={onEnable}
              disabled={busy}
            />
          ) : (
            <RowAction
              label="Disable"
              username={operator.username}
              onClick={onDisable}
              disabled={self || busy}
              title={selfHint}
            />
          )}
          <RowAction
            label="Reset password"
            username={operator.username}
            onClick={onPassword}
            disabled={busy}
          />
          <RowAction
            label="Delete"
            username={operator.username}
            onClick={onDelete}
            disabled={self || busy}
            title={selfHint}
            danger
          />
        </div>
      </td>
    </tr>
  );
}
