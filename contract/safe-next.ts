// Where a login may send the browser afterwards. `next` comes from the URL,
// so anyone can craft it: only a path on this site is accepted, never
// another origin (an open redirect would make phishing links look ours).
// One function for every path that honours `next`: the login page, the
// form post's 303, the SSO start, and the browser's redirect of an operator
// who is already logged in. Pure: the browser bundle imports it too.

const BASE = "http://fleet.invalid";
/** The longest `next` kept: its percent-encoded form must leave the sealed SSO flow cookie under 4 KiB. */
export const MAX_NEXT_LENGTH = 2048;

/**
 * `raw` as a same-site path (with query and hash), or "/" when it could lead
 * anywhere else. The check runs on the *normalised* path, the one the
 * Location header will carry: dot segments (`/.//host`, `/a/..//host`,
 * `/%2e//host`) collapse into a protocol-relative `//host` only after
 * parsing. Refused before parsing as well: backslashes (browsers read `/\host`
 * as `//host`) and control characters (the URL parser drops tabs and
 * newlines). Back to the login page would only loop, so that is "/" too, as
 * is a path whose normalised (percent-encoded) form passes MAX_NEXT_LENGTH.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_NEXT_LENGTH) return "/";
  if (!raw.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const path = url.pathname;
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return "/";
  if (path === "/login" || path.startsWith("/login/")) return "/";
  const normalised = `${path}${url.search}${url.hash}`;
  return normalised.length > MAX_NEXT_LENGTH ? "/" : normalised;
}
