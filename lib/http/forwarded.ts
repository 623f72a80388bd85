// What reverse proxies tell the app about a request (X-Forwarded-For,
// -Host, -Proto), believed only when TRUST_PROXY says how many proxies stand
// in front of it. Without that, any client can send these headers: a forged
// X-Forwarded-Host would pass the Origin check and a forged -Proto would
// change how cookies are set.

/** How many reverse proxies in front of the app append or set X-Forwarded-* (TRUST_PROXY=<n>; unset or 0: none). */
export function trustedProxyHops(env: NodeJS.ProcessEnv = process.env): number {
  const hops = Number(env.TRUST_PROXY ?? 0);
  return Number.isInteger(hops) && hops > 0 ? hops : 0;
}

/**
 * The entry of a comma-separated X-Forwarded-* header that the trusted
 * proxies wrote, or null when none are trusted or the header is missing.
 * Each proxy appends what it saw, so with n trusted proxies their first one
 * wrote the n-th entry from the right; entries further left came from the
 * client (nginx and AWS load balancers append to whatever it sent). A proxy
 * that sets the header instead of appending leaves fewer entries: then the
 * first one is the outermost proxy's.
 */
export function forwardedEntry(
  request: Request,
  header: "x-forwarded-for" | "x-forwarded-host" | "x-forwarded-proto",
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const hops = trustedProxyHops(env);
  const raw = request.headers.get(header);
  if (hops === 0 || raw === null) return null;
  const entries = raw.split(",").map((entry) => entry.trim());
  const entry = entries[entries.length - hops] ?? entries[0];
  return entry !== undefined && entry.length > 0 ? entry : null;
}

/**
 * Same-origin writes only: a browser always sends Origin on a cross-site
 * POST. X-Forwarded-Host counts only from a trusted proxy (a client could
 * send any). proxy.ts and the request gate both ask this.
 */
export function sameOrigin(request: Pick<Request, "headers">): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  const host =
    forwardedEntry(request as Request, "x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
