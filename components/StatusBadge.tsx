import type { ClientView } from "@/lib/clients/schemas";

const STYLES = {
  online: {
    pill: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
    dot: "bg-emerald-500",
  },
  pending: {
    pill: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
    dot: "bg-amber-500",
  },
  offline: {
    pill: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
    dot: "bg-slate-500",
  },
  never_seen: {
    pill: "border border-dashed border-slate-400 text-slate-700 dark:border-slate-500 dark:text-slate-300",
    dot: "bg-transparent ring-1 ring-slate-500",
  },
} as const;

const HINTS = {
  online: "Connected now",
  pending: "Disconnected moments ago; probably reconnecting (grace period)",
  offline: "Not connected",
  never_seen: "Labelled (inventory) but no event received yet",
} as const;

export function StatusBadge({ status }: { status: ClientView["status"] }) {
  const style = STYLES[status];
  return (
    <span
      title={HINTS[status]}
      data-status={status}
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${style.pill}`}
    >
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full ${style.dot}`} />
      {status === "never_seen" ? "never seen" : status}
    </span>
  );
}

export function FlappingBadge() {
  return (
    <span
      title="Disconnected repeatedly within the flap window"
      className="inline-flex items-center rounded-full bg-rose-100 px-2 py-0.5 text-xs font-medium text-rose-900 dark:bg-rose-950 dark:text-rose-200"
    >
      flapping
    </span>
  );
}
