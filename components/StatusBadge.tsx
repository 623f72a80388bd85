const STYLES = {
  online: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  pending: "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100",
  offline: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
} as const;

export function StatusBadge({ status }: { status: keyof typeof STYLES }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[status]}`}>{status}</span>;
}
