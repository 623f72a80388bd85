// Where the login page may send the browser afterwards. `next` comes from
// the URL, so anyone can craft it: only a path on this site is accepted,
// never another origin (an open redirect would make phishing links look ours).

const BASE = "http://fleet.invalid";
const MAX_LENGTH = 2048;

/**
 * `raw` as a same-site path (with query and hash), or "/" when it could lead
 * anywhere else. Rejected before parsing: protocol-relative `//host`,
 * backslashes (browsers read `/\host` as `//host`), and control characters
 * (the URL parser drops tabs and newlines, so `/\t/host` would become `//host`).
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  // Back to the login page would only loop.
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page that returns to `path` afterwards. */
export function loginHref(path: string): string {
  const next = safeNextPath(path);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}
