// The login page's `next`: the check itself is contract/safe-next.ts (one
// function for the server and the browser).
import { safeNextPath } from "@/contract/safe-next";

export { safeNextPath };

/** The login page that returns to `path` afterwards. */
export function loginHref(path: string): string {
  const next = safeNextPath(path);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}
