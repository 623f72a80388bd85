"use client";

import { useState, type FormEvent } from "react";
import type { Role } from "@/lib/auth/schemas";
import { useCreateOperator } from "../hooks/use-admin";
import { primaryButton } from "../ui/Dialog";
import { NewPasswordField } from "./NewPasswordField";
import { RoleField } from "./RoleField";
import { TextField } from "../alerts/EditorFields";
import { field } from "./styles";

/** New account: name, first password (to hand over), role. */
export function CreateOperatorForm() {
  const create = useCreateOperator();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCreated(null);
    create.mutate(
      { username: username.trim(), password, role },
      {
        onSuccess: (operator) => {
          setCreated(
            `Created ${operator.role} “${operator.username}”. Hand the password over on a separate channel.`,
          );
          setUsername("");
          setPassword("");
          setRole("viewer");
        },
      },
    );
  };

  return (
    <form
      onSubmit={submit}
      aria-labelledby="create-operator-title"
      className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <h3 id="create-operator-title" className="text-sm font-semibold">
        New operator
      </h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <TextField
          label="Username"
          name="username"
          required
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          value={username}
          onValue={setUsername}
        />
        <NewPasswordField
          label="Password (12+ characters)"
          value={password}
          onValue={setPassword}
          compact
        />
        <RoleField name="role" role={role} onRole={setRole} selectClass={`${field} h-9`} />
        <button type="submit" disabled={create.isPending} className={`${primaryButton} h-9`}>
          {create.isPending ? "Creating…" : "Create operator"}
        </button>
      </div>
      <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
        Viewers see the fleet; admins also manage accounts and ingest tokens.
      </p>
      {create.error ? (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-300">
          {create.error.message}
        </p>
      ) : null}
      <p role="status" className="mt-2 text-sm text-emerald-800 empty:hidden dark:text-emerald-300">
        {created}
      </p>
    </form>
  );
}
