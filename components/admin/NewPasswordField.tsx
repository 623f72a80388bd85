"use client";

import { secondaryButton } from "../ui/Dialog";
import { generatePassword } from "./generate-password";
import { field, fieldLabel } from "./styles";

/**
 * A new password (12+ characters) with a Generate button beside it, for a
 * new account and for a reset. `compact` gives the 9-unit height of the
 * inline create form; otherwise the field takes the row's width.
 * `className` places the pair (a margin).
 */
export function NewPasswordField({
  label,
  value,
  onValue,
  compact = false,
  className,
}: {
  label: string;
  value: string;
  onValue: (password: string) => void;
  compact?: boolean;
  className?: string;
}) {
  const height = compact ? " h-9" : "";
  return (
    <div className={className ? `${className} flex items-end gap-1` : "flex items-end gap-1"}>
      <label className={compact ? fieldLabel : `${fieldLabel} flex-1`}>
        {label}
        <input
          name="new-password"
          required
          minLength={12}
          maxLength={256}
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          onChange={(e) => onValue(e.target.value)}
          className={`${field}${height} font-mono`}
        />
      </label>
      <button
        type="button"
        onClick={() => onValue(generatePassword())}
        className={`${secondaryButton}${height}`}
      >
        Generate
      </button>
    </div>
  );
}
