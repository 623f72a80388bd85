"use client";

import { useStreamView } from "./LiveProvider";

const LOOK = {
  live: { dot: "bg-emerald-500", text: "Live", hint: "Changes appear as they happen." },
  connecting: { dot: "bg-slate-400", text: "Connecting…", hint: "Opening the live update stream." },
  reconnecting: {
    dot: "bg-amber-500 animate-pulse",
    text: "Reconnecting…",
    hint: "The live stream dropped; the view resyncs when it is back.",
  },
} as const;

/** Live, but changes come faster than they can be shown one by one (e.g. a reconnect storm). */
const CATCHING_UP = {
  dot: "bg-sky-500 animate-pulse",
  text: "Live · catching up",
  hint: "Changes are arriving faster than they can be shown one by one: the view refreshes in bulk every few seconds until the rush is over.",
} as const;

/** Tells the operator whether what they see is live, and when it is summarised rather than exact. */
export function LiveIndicator() {
  const { state, catchingUp } = useStreamView();
  const coalesced = state === "live" && catchingUp;
  const look = coalesced ? CATCHING_UP : LOOK[state];
  return (
    <span
      role="status"
      aria-live="polite"
      title={look.hint}
      data-stream-state={state}
      data-stream-catching-up={coalesced ? "true" : undefined}
      className="inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1 text-xs font-medium text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200"
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${look.dot}`} />
      {look.text}
    </span>
  );
}
