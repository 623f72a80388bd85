"use client";

import { useState, type FormEvent } from "react";
import { fromLocalInput, toLocalInput } from "../format/time";
import { useHydrated } from "../hooks/use-hydrated";
import { LocalTime } from "../ui/LocalTime";

const inputClass =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-950 dark:text-slate-100";
const buttonClass =
  "rounded-md px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** The date-time picker: view the fleet at the moment entered (local time). */
function MomentForm({
  asOf,
  onTravel,
  label,
}: {
  asOf: string | undefined;
  onTravel: (iso: string) => void;
  label: string;
}) {
  const hydrated = useHydrated();
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The local zone is known only after hydration: until then the field stays empty.
  const shown = value ?? (hydrated && asOf !== undefined ? toLocalInput(Date.parse(asOf)) : "");
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    // The field's own value: what the operator sees, even if typed before hydration.
    const entered = new FormData(e.currentTarget).get("asOf");
    const ms = fromLocalInput(typeof entered === "string" ? entered : shown);
    if (ms === null) return setError("Enter a date and time.");
    if (ms > Date.now()) return setError("That moment is in the future.");
    setError(null);
    setValue(null);
    onTravel(new Date(ms).toISOString());
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2">
      <label htmlFor="as-of-input" className="text-sm font-medium">
        {label}
      </label>
      <input
        id="as-of-input"
        name="asOf"
        type="datetime-local"
        value={shown}
        onChange={(e) => setValue(e.target.value)}
        aria-describedby={error ? "as-of-error" : undefined}
        className={inputClass}
      />
      <button
        type="submit"
        className={`${buttonClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800`}
      >
        View
      </button>
      {error ? (
        <span id="as-of-error" role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {error}
        </span>
      ) : null}
    </form>
  );
}

/**
 * Time travel on the fleet page. Live: a picker to view a past moment (so
 * does clicking the online chart). In the past: a banner that says so, that
 * live updates are paused, and leads back to live.
 */
export function TimeTravel({
  asOf,
  onTravel,
  onLive,
}: {
  asOf: string | undefined;
  onTravel: (iso: string) => void;
  onLive: () => void;
}) {
  if (asOf === undefined) {
    return (
      <div className="flex flex-wrap items-center justify-between gap-2 text-slate-700 dark:text-slate-300">
        <MomentForm asOf={undefined} onTravel={onTravel} label="View the fleet at" />
        <p className="text-xs text-slate-600 dark:text-slate-400">
          or click a point of the online chart
        </p>
      </div>
    );
  }
  return (
    <section
      aria-label="Viewing the past"
      data-testid="past-banner"
      className="flex flex-wrap items-center justify-between gap-3 rounded-xl border-2 border-amber-500 bg-amber-50 p-3 text-amber-950 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <div>
        <p className="font-semibold">
          Viewing the past: the fleet as it stood at <LocalTime iso={asOf} />
        </p>
        <p className="text-sm">
          Live updates are paused. Statuses are online, offline or never seen at that moment.
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <MomentForm key={asOf} asOf={asOf} onTravel={onTravel} label="Moment" />
        <button
          type="button"
          onClick={onLive}
          className={`${buttonClass} bg-amber-700 text-white hover:bg-amber-800 dark:bg-amber-500 dark:text-amber-950 dark:hover:bg-amber-400`}
        >
          Back to live
        </button>
      </div>
    </section>
  );
}
