"use client";

import type { Counts } from "@/lib/clients/schemas";
import { formatCount } from "../format/number";
import { useHydrated } from "../hooks/use-hydrated";
import { Skeleton } from "../ui/Skeleton";

type Status = "online" | "pending" | "offline";

const CARDS: { key: Status | "flapping"; label: string; accent: string; hint: string }[] = [
  { key: "online", label: "Online", accent: "bg-emerald-500", hint: "Connected now" },
  {
    key: "pending",
    label: "Pending",
    accent: "bg-amber-500",
    hint: "Just disconnected, within the grace period",
  },
  { key: "offline", label: "Offline", accent: "bg-slate-400", hint: "Not connected" },
  { key: "flapping", label: "Flapping", accent: "bg-rose-500", hint: "Disconnecting repeatedly" },
];

/** The fleet's counts; each card doubles as a filter for the table (Flapping: any status). */
export function SummaryCards({
  counts,
  active,
  flapping,
  onPick,
  past = false,
}: {
  /** Counts of a past moment: never seen then includes clients first seen later. */
  past?: boolean;
  counts: Counts | undefined;
  active: Status | "never_seen" | undefined;
  flapping: boolean | undefined;
  onPick: (patch: { status?: Status | undefined; flapping?: "true" | undefined }) => void;
}) {
  const hydrated = useHydrated();
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="Fleet counts">
      {CARDS.map((card) => {
        const value = counts?.[card.key];
        const pressed = card.key === "flapping" ? flapping === true : active === card.key;
        const body = (
          <>
            <span className="flex items-center gap-2 text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-300">
              <span aria-hidden className={`h-2 w-2 rounded-full ${card.accent}`} />
              {card.label}
            </span>
            {value === undefined ? (
              <Skeleton className="mt-2 h-8 w-20" />
            ) : (
              <span
                className="mt-1 block text-3xl font-semibold tabular-nums"
                data-testid={`count-${card.key}`}
              >
                {formatCount(value, hydrated)}
              </span>
            )}
            {card.key === "online" && counts ? (
              <span className="mt-1 block text-xs text-slate-600 dark:text-slate-400">
                of {formatCount(counts.total, hydrated)} clients
                {counts.neverSeen > 0
                  ? ` · ${formatCount(counts.neverSeen, hydrated)} ${past ? "not seen yet then" : "labelled, never seen"}`
                  : null}
              </span>
            ) : null}
          </>
        );
        const base =
          "rounded-xl border bg-white p-4 text-left shadow-sm dark:bg-slate-900 " +
          (pressed
            ? "border-sky-500 ring-2 ring-sky-500/40"
            : "border-slate-200 dark:border-slate-800");
        const pick = () =>
          card.key === "flapping"
            ? onPick({ flapping: pressed ? undefined : "true" })
            : onPick({ status: pressed ? undefined : card.key });
        return (
          <button
            key={card.key}
            type="button"
            title={`${card.hint}. Click to ${pressed ? "clear the filter" : "show only these"}.`}
            aria-pressed={pressed}
            onClick={pick}
            className={`${base} transition hover:border-sky-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600`}
          >
            {body}
          </button>
        );
      })}
    </div>
  );
}
