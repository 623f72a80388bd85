"use client";

// The fields of the alert-settings forms (new channel, rule, silence): a
// labelled text or number input, a labelled select (the form: ui/EditorForm).
import type { InputHTMLAttributes, ReactNode } from "react";
import { field, fieldLabel } from "../admin/styles";

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

/** A labelled select of fixed options; `selectClass` replaces the select's look. */
export function SelectField<V extends string>({
  label,
  name,
  value,
  onValue,
  options,
  selectClass = `${field} h-9`,
}: {
  label: ReactNode;
  name: string;
  value: V;
  onValue: (value: V) => void;
  options: ReadonlyArray<{ value: V; label: string }>;
  selectClass?: string;
}) {
  return (
    <label className={fieldLabel}>
      {label}
      <select
        name={name}
        value={value}
        onChange={(e) => onValue(e.target.value as V)}
        className={selectClass}
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
