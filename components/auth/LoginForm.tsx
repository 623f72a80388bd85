"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { fetchJson } from "../hooks/fetch-json";
import { useHydrated } from "../hooks/use-hydrated";
import type { Operator } from "../hooks/use-session";
import { describeLoginError, describeSsoError, type LoginProblem } from "./login-errors";

/** Single sign-on as the server configured it (GET /api/auth/providers, read by the page shell). */
export type SsoOption =
  { state: "off" } | { state: "misconfigured" } | { state: "on"; label: string };

const field =
  "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-600 aria-[invalid=true]:border-red-500 dark:border-slate-700 dark:bg-slate-950 dark:aria-[invalid=true]:border-red-400";

/**
 * The session cookie is SameSite=Strict: a link from another site arrives
 * without it and lands on the login page although the session is alive. This
 * request is same-site and carries it; then there is nothing to log in to.
 */
function useLeaveIfLoggedIn(next: string): void {
  useEffect(() => {
    const controller = new AbortController();
    fetchJson<Operator>("/api/auth/me", { signal: controller.signal }).then(
      () => window.location.replace(next),
      () => {},
    );
    return () => controller.abort();
  }, [next]);
}

function ProblemAlert({ problem }: { problem: LoginProblem }) {
  return (
    <div
      id="login-error"
      role="alert"
      className="mt-5 rounded-lg border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <p className="font-semibold">{problem.title}</p>
      <p className="mt-0.5">{problem.detail}</p>
    </div>
  );
}

/** A plain link: the server redirects to the provider, which must see a top-level navigation. */
function SsoButton({ label, next }: { label: string; next: string }) {
  return (
    <>
      <a
        href={`/api/auth/oidc/login?next=${encodeURIComponent(next)}`}
        className="mt-5 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-center text-sm font-medium shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
      >
        Sign in with {label}
      </a>
      <p className="mt-5 flex items-center gap-3 text-xs text-slate-500 before:h-px before:flex-1 before:bg-slate-200 after:h-px after:flex-1 after:bg-slate-200 dark:text-slate-400 dark:before:bg-slate-700 dark:after:bg-slate-700">
        or with a password
      </p>
    </>
  );
}

/**
 * `next`: an already-checked same-site path (safeNextPath) to open after
 * logging in. `ssoError`: the code of a failed single sign-on (/login?error=…).
 */
export function LoginForm({
  next,
  sso,
  ssoError,
}: {
  next: string;
  sso: SsoOption;
  ssoError: string | null;
}) {
  const hydrated = useHydrated();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<LoginProblem | null>(() =>
    ssoError === null ? null : describeSsoError(ssoError),
  );
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  useEffect(() => usernameInput.current?.focus(), []);
  useLeaveIfLoggedIn(next);

  useEffect(() => {
    if (problem === null) return;
    (problem.focus === "username" ? usernameInput : passwordInput).current?.focus();
  }, [problem]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      await fetchJson<Operator>("/api/auth/login", {
        method: "POST",
        json: { username, password },
      });
      // A full load: the server renders the next page for the new session, with nothing cached from before.
      window.location.assign(next);
    } catch (error) {
      setPassword("");
      setProblem(describeLoginError(error));
      setPending(false);
    }
  };

  const describedBy = problem ? "login-error" : undefined;
  return (
    <div className="w-full max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold tracking-tight">Log in</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Operators only. Ask an admin for an account.
        </p>
        {problem ? <ProblemAlert problem={problem} /> : null}
        {sso.state === "on" ? <SsoButton label={sso.label} next={next} /> : null}
        {/* POST, never GET: even before the script runs, a password must not end up in a URL or a log. */}
        <form
          method="post"
          action="/api/auth/login"
          onSubmit={(event) => void submit(event)}
          className="mt-5 space-y-4"
        >
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-200">
            Username
            <input
              ref={usernameInput}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              maxLength={64}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={(problem?.invalid && problem.focus === "username") || undefined}
              aria-describedby={describedBy}
              className={field}
            />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700 dark:text-slate-200">
            Password
            <input
              ref={passwordInput}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={256}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={(problem?.invalid && problem.focus === "password") || undefined}
              aria-describedby={describedBy}
              className={field}
            />
          </label>
          <button
            type="submit"
            // Until React runs, submitting would post the form natively and show raw JSON.
            disabled={!hydrated || pending}
            className="w-full rounded-lg bg-sky-700 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-70"
          >
            {pending ? "Logging in…" : "Log in"}
          </button>
        </form>
      </div>
      {sso.state === "misconfigured" ? (
        <p className="mt-4 px-1 text-xs text-amber-800 dark:text-amber-300">
          Single sign-on is switched off: its <code>OIDC_*</code> settings are wrong (the server log
          says which).
        </p>
      ) : null}
      <p className="mt-4 px-1 text-xs text-slate-600 dark:text-slate-400">
        New installation? The first admin comes from{" "}
        <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">ADMIN_USERNAME</code> /{" "}
        <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">ADMIN_PASSWORD</code> or{" "}
        <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">npm run user:add</code>.
      </p>
    </div>
  );
}
