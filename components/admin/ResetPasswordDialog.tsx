"use client";

import { useState, type FormEvent } from "react";
import type { OperatorView } from "@/lib/auth/schemas";
import { useUpdateOperator } from "../hooks/use-admin";
import { Dialog, primaryButton, secondaryButton } from "../ui/Dialog";
import { ErrorNote } from "../ui/ErrorBanner";
import { NewPasswordField } from "./NewPasswordField";

/** A new password ends every session of the account and lifts a lockout. */
export function ResetPasswordDialog({
  operator,
  self,
  onClose,
}: {
  operator: OperatorView;
  self: boolean;
  onClose: () => void;
}) {
  const update = useUpdateOperator();
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate(
      { id: operator.id, change: { password } },
      {
        // Your own sessions end too: the next request would answer 401; go and log in again now.
        onSuccess: () => (self ? window.location.assign("/login?next=%2Fadmin") : onClose()),
      },
    );
  };
  return (
    <Dialog
      title={`Reset the password of “${operator.username}”`}
      onClose={onClose}
      testId="reset-password-dialog"
    >
      <form onSubmit={submit}>
        <p className="text-slate-700 dark:text-slate-300">
          {self
            ? "All your sessions end, this one too: you log in again with the new password."
            : "All their sessions end at once, and a lockout is lifted. Hand the new password over on a separate channel."}
        </p>
        <NewPasswordField
          label="New password (12+ characters)"
          value={password}
          onValue={setPassword}
          className="mt-3"
        />
        <ErrorNote error={update.error} layout="mt-3" />
        <div className="mt-5 flex justify-end gap-2">
          <button type="button" onClick={onClose} className={secondaryButton}>
            Cancel
          </button>
          <button type="submit" disabled={update.isPending} className={primaryButton}>
            {update.isPending ? "Saving…" : "Set password"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
