/** Form controls and table cells of the admin page, in the look of the fleet toolbar. */
export const field =
  "rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-950";
export const fieldLabel =
  "flex flex-col gap-1 text-xs font-medium text-slate-700 dark:text-slate-300";
export const th =
  "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400";
export const td = "px-3 py-2 align-middle";
export const smallButton =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";
export const smallDangerButton =
  "rounded-md border border-red-300 bg-white px-2 py-1 text-xs font-medium text-red-800 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 disabled:cursor-not-allowed disabled:opacity-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300 dark:hover:bg-red-950";
export const pill = "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium";
