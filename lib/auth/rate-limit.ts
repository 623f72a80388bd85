// Login attempts per client address (when trusted proxies say which), in
// memory per app instance: a cheap first line against password spraying;
// the per-name lockout in the database holds across instances.
import { ServiceError } from "../errors";
import { forwardedEntry } from "../http/forwarded";

export const LOGIN_ATTEMPTS_PER_WINDOW = 20;
export const LOGIN_WINDOW_MS = 5 * 60 * 1000;

const attempts = new Map<string, number[]>();

/**
 * The client's address as the trusted proxies recorded it (lib/http/forwarded.ts),
 * or null when unknown: route handlers do not see the socket, and without
 * TRUST_PROXY the header is the client's to forge.
 */
export function clientAddress(
  request: Request,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  return forwardedEntry(request, "x-forwarded-for", env);
}

/**
 * Login attempts per known client address. Without a known address there is
 * no shared budget at all: one budget for every direct client let anyone
 * block all password logins for everyone with junk. Guessing is bounded per
 * user name instead (lib/auth/operators.ts verifyLogin: locked after
 * MAX_FAILED_LOGINS failures, names without an account alike).
 */
export function checkLoginRate(address: string | null, now = Date.now()): void {
  if (address === null) return;
  const recent = (attempts.get(address) ?? []).filter((t) => t > now - LOGIN_WINDOW_MS);
  if (recent.length >= LOGIN_ATTEMPTS_PER_WINDOW) {
    attempts.set(address, recent);
    const retry = Math.ceil(((recent[0] ?? now) + LOGIN_WINDOW_MS - now) / 1000);
    throw new ServiceError(
      "too_many_requests",
      `Too many login attempts from this address; retry in ${retry} s.`,
      { retryAfterSeconds: retry },
    );
  }
  recent.push(now);
  attempts.set(address, recent);
  // Keep the map bounded under a flood of distinct addresses.
  if (attempts.size > 10_000) attempts.delete(attempts.keys().next().value as string);
}
