/**
 * The request path exactly as the browser sent it (still percent-encoded),
 * set by proxy.ts. Next.js hands page params over partly decoded (a %2F stays
 * encoded, a %41 does not), so a page that must decode an ID exactly once
 * reads it from here.
 */
export const RAW_PATH_HEADER = "x-fleet-raw-path";

/** The decoded path segment after `prefix` (e.g. "/clients/"), or null when absent or malformed. */
export function segmentAfter(rawPath: string | null, prefix: string): string | null {
  if (rawPath === null || !rawPath.startsWith(prefix)) return null;
  const segment = rawPath.slice(prefix.length).split("/")[0] ?? "";
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** True when every %-escape in the path decodes: malformed ones get a 400, not Next's 500. */
export function isWellFormedPath(rawPath: string): boolean {
  try {
    decodeURIComponent(rawPath);
    return true;
  } catch {
    return false;
  }
}
