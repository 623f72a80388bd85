"use client";

import Link from "next/link";
import { useFiringCount } from "../hooks/use-alerts";

/** The header's bell: how many alerts fire now (not silenced), kept live by the stream. */
export function AlertBell() {
  const firing = useFiringCount();
  const count = firing.data ?? 0;
  return (
    <Link
      href="/alerts"
      data-testid="alert-bell"
      aria-label={`Alerts: ${count} firing`}
      className="relative inline-flex h-8 w-8 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-slate-300 dark:hover:bg-slate-800"
    >
      <svg
        aria-hidden
        viewBox="0 0 24 24"
        className="h-5 w-5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {count > 0 ? (
        <span className="absolute -right-1 -top-1 min-w-[1.1rem] rounded-full bg-red-700 px-1 text-center text-[11px] font-semibold leading-[1.1rem] text-white">
          {count > 99 ? "99+" : count}
        </span>
      ) : null}
    </Link>
  );
}
