import Link from "next/link";
import type { Operator } from "./hooks/use-session";
import { HeaderNav } from "./auth/HeaderNav";
import { UserMenu } from "./auth/UserMenu";
import type { Theme } from "./format/theme";
import { LiveIndicator } from "./live/LiveIndicator";
import { ThemeToggle } from "./ui/ThemeToggle";
import { AlertBell } from "./alerts/AlertBell";

/** `operator`: who is logged in, from the server; null on the login page (only the name of the app then). */
export function AppHeader({ operator, theme }: { operator: Operator | null; theme: Theme }) {
  return (
    <header className="border-b border-slate-200 bg-white/80 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-1 focus:text-sm dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
        <div className="flex items-center gap-6">
          <Link
            href="/"
            className="flex items-center gap-2 rounded text-base font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
          >
            <svg aria-hidden viewBox="0 0 24 24" className="h-6 w-6 text-sky-600 dark:text-sky-400">
              <circle cx="12" cy="12" r="3" fill="currentColor" />
              <path
                d="M5.6 5.6a9 9 0 0 0 0 12.8M18.4 5.6a9 9 0 0 1 0 12.8M8.5 8.5a5 5 0 0 0 0 7M15.5 8.5a5 5 0 0 1 0 7"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.8"
                strokeLinecap="round"
              />
            </svg>
            Fleet presence
          </Link>
          {operator ? <HeaderNav admin={operator.role === "admin"} /> : null}
        </div>
        <div className="flex items-center gap-3">
          {operator ? <LiveIndicator /> : null}
          {operator ? <AlertBell /> : null}
          <ThemeToggle initial={theme} />
          {operator ? <UserMenu initial={operator} /> : null}
        </div>
      </div>
    </header>
  );
}
