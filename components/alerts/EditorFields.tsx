"use client";

// The pieces of the alert-settings forms (new channel, rule, silence): the
// titled form, a labelled text or number input, a labelled select.
import type { FormEvent, InputHTMLAttributes, ReactNode } from "react";
import { field, fieldLabel } from "../admin/styles";

/** A form titled "New …" below a panel's table; `fields` go in one wrapping row. */
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

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "className">;

/** A labelled input; `className` adds to the field's look (width, font). */
export function TextField({
  label,
  value,
  onValue,
  className,
  ...input
}: InputProps & {
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  className?: string;
}) {
  return (
    <label className={fieldLabel}>
      {label}
      <input
        {...input}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        className={className ? `${field} h-9 ${className}` : `${field} h-9`}
      />
    </label>
  );
}

/** A labelled select of fixed options. */
export function SelectField<V extends string>({
  label,
  name,
  value,
  onValue,
  options,
}: {
  label: ReactNode;
  name: string;
  value: V;
  onValue: (value: V) => void;
  options: ReadonlyArray<{ value: V; label: string }>;
}) {
  return (
    <label className={fieldLabel}>
      {label}
      <select
        name={name}
        value={value}
        onChange={(e) => onValue(e.target.value as V)}
        className={`${field} h-9`}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
