// Login attempts per client address, in memory per app instance: a cheap
// first line against password spraying; the per-account lockout in the
// database holds across instances.
import { ServiceError } from "../errors";

export const LOGIN_ATTEMPTS_PER_WINDOW = 20;
export const LOGIN_WINDOW_MS = 5 * 60 * 1000;

const attempts = new Map<string, number[]>();

/**
 * The client's address when a trusted reverse proxy supplies it
 * (TRUST_PROXY=1: the first X-Forwarded-For hop). Route handlers do not see
 * the socket, and a client could forge the header without a proxy, so
 * otherwise all direct clients share one generous flood limit.
 */
export function clientAddress(request: Request, env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRUST_PROXY !== "1") return DIRECT;
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || DIRECT;
}

const DIRECT = "direct";
/** Without trusted addresses the limit guards against floods, not one client. */
const DIRECT_ATTEMPTS_PER_WINDOW = 300;

export function checkLoginRate(address: string, now = Date.now()): void {
  const recent = (attempts.get(address) ?? []).filter((t) => t > now - LOGIN_WINDOW_MS);
  const limit = address === DIRECT ? DIRECT_ATTEMPTS_PER_WINDOW : LOGIN_ATTEMPTS_PER_WINDOW;
  if (recent.length >= limit) {
    attempts.set(address, recent);
    const retry = Math.ceil(((recent[0] ?? now) + LOGIN_WINDOW_MS - now) / 1000);
    throw new ServiceError(
      "too_many_requests",
      `Too many login attempts from this address; retry in ${retry} s.`,
    );
  }
  recent.push(now);
  attempts.set(address, recent);
  // Keep the map bounded under a flood of distinct addresses.
  if (attempts.size > 10_000) attempts.delete(attempts.keys().next().value as string);
}
