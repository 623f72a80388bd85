"use client";

import type { Role } from "@/lib/auth/schemas";
import { fieldLabel } from "./styles";

/** A labelled choice of viewer or admin, for a new operator or API token. */
export function RoleField({
  name,
  role,
  onRole,
  selectClass,
  optionLabels = { viewer: "viewer", admin: "admin" },
}: {
  name: string;
  role: Role;
  onRole: (role: Role) => void;
  selectClass: string;
  /** What each option says (e.g. what the role may do). */
  optionLabels?: Record<Role, string>;
}) {
  return (
    <label className={fieldLabel}>
      Role
      <select
        name={name}
        value={role}
        onChange={(e) => onRole(e.target.value as Role)}
        className={selectClass}
      >
        <option value="viewer">{optionLabels.viewer}</option>
        <option value="admin">{optionLabels.admin}</option>
      </select>
    </label>
  );
}
