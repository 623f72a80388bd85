"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * View state lives in the URL so a view can be shared or bookmarked.
 * `replace`, not `push`: typing a search must not flood the history.
 *
 * The native history API, not router.replace: Next keeps useSearchParams in
 * step with it, and the queries fetch what the new view needs from the API.
 * A router navigation would re-render the page on the server for every
 * keystroke, and while the database is down the proxy answers that request
 * with a bare 503 text page, which replaced the whole dashboard.
 */
/** A change of the URL: a value sets, an array repeats the parameter (e.g. `label`), undefined drops it. */
export type UrlPatch = Record<string, string | readonly string[] | undefined>;

export function useUrlState(): [URLSearchParams, (patch: UrlPatch) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const update = useCallback(
    (patch: UrlPatch) => {
      const next = new URLSearchParams(params.toString());
      for (const [key, value] of Object.entries(patch)) {
        next.delete(key);
        if (typeof value === "string" && value !== "") next.set(key, value);
        else if (Array.isArray(value)) for (const v of value as string[]) next.append(key, v);
      }
      const search = next.toString();
      window.history.replaceState(null, "", search ? `${pathname}?${search}` : pathname);
    },
    [params, pathname],
  );
  return [params, update];
}
