"use client";

import type { FormEvent, ReactNode } from "react";

/** A form titled "New …" below a panel's table (alert settings, tokens); `fields` go in one wrapping row. */
export function EditorForm({
  id,
  title,
  onSubmit,
  fields,
  children,
}: {
  /** `<id>-title` names the heading the form is labelled by. */
  id: string;
  title: string;
  onSubmit: () => void;
  fields: ReactNode;
  /** What follows the row of fields (more fields, the submit button, the status). */
  children?: ReactNode;
}) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form
      onSubmit={submit}
      aria-labelledby={`${id}-title`}
      className="mt-4 border-t border-slate-200 pt-4 dark:border-slate-800"
    >
      <h3 id={`${id}-title`} className="text-sm font-semibold">
        {title}
      </h3>
      <div className="mt-2 flex flex-wrap items-end gap-3">{fields}</div>
      {children}
    </form>
  );
}
