"use client";

import { useLogout, useMeQuery, type Operator } from "../hooks/use-session";

/** Who is logged in, and the way out. */
export function UserMenu({ initial }: { initial: Operator }) {
  const me = useMeQuery(initial);
  const logout = useLogout();
  const { username, role } = me.data;
  return (
    <div className="flex items-center gap-3 text-sm" data-testid="user-menu">
      <span className="flex items-center gap-2">
        <span className="sr-only">Logged in as</span>
        <span
          data-testid="current-user"
          className="max-w-[12rem] truncate font-medium"
          title={username}
        >
          {username}
        </span>
        <span
          data-testid="current-role"
          className={`rounded-full px-2 py-0.5 text-xs font-medium ${
            role === "admin"
              ? "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200"
              : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200"
          }`}
        >
          {role}
        </span>
      </span>
      <button
        type="button"
        onClick={() => logout.mutate()}
        disabled={logout.isPending}
        className="rounded-lg border border-slate-300 bg-white px-3 py-1 text-sm font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
      >
        {logout.isPending ? "Logging out…" : "Log out"}
      </button>
      {logout.error ? (
        <span role="alert" className="text-xs text-red-700 dark:text-red-300">
          Logout failed: {logout.error.message}
        </span>
      ) : null}
    </div>
  );
}
