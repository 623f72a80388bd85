"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { ErrorNote } from "./ErrorBanner";

/**
 * A modal on the native <dialog>: the browser traps focus, makes the page
 * behind it inert and closes it on Escape. Mounted means open; focus goes
 * back to where it was when it closes.
 */
export function Dialog({
  title,
  onClose,
  children,
  testId,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    return () => {
      dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        // Escape: let React decide (it unmounts us), so state and DOM never disagree.
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-5 text-sm text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={titleId} className="text-base font-semibold">
        {title}
      </h2>
      <div className="mt-3">{children}</div>
    </dialog>
  );
}

const button =
  "rounded-lg px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-60";
export const secondaryButton = `${button} border border-slate-300 bg-white shadow-sm hover:bg-slate-50 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800`;
export const primaryButton = `${button} bg-sky-700 text-white shadow-sm hover:bg-sky-800 focus-visible:outline-sky-600`;
export const dangerButton = `${button} bg-red-700 text-white shadow-sm hover:bg-red-800 focus-visible:outline-red-600`;

/** "Are you sure?" for what cannot be undone; Cancel comes first and has the focus, so Enter does no harm. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog title={title} onClose={onClose} testId="confirm-dialog">
      <div className="space-y-2 text-slate-700 dark:text-slate-300">{children}</div>
      <ErrorNote error={error} layout="mt-3" />
      <div className="mt-5 flex justify-end gap-2">
        {/* First focusable: showModal() focuses it, so Enter cancels. */}
        <button type="button" onClick={onClose} className={secondaryButton}>
          Cancel
        </button>
        <button type="button" onClick={onConfirm} disabled={pending} className={dangerButton}>
          {pending ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
