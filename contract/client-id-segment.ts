// Client IDs `.` and `..` in URLs. They are dot segments: every URL parser
// (browsers, fetch, Next.js) collapses them, and `%2E` too, so
// /api/clients/.. can never reach a per-client route. Such a client is
// addressed as `+.` / `+..` instead (`%2B.` / `%2B..` encoded). A client ID
// never contains `+` (ingest quarantines such events: AWS never sends them),
// so the escape cannot be another client's ID; every other ID keeps the
// plain /api/clients/{encodeURIComponent(id)} form of the contract.

const ESCAPED = new Map([
  ["+.", "."],
  ["+..", ".."],
]);

/** The client ID a (decoded) path segment stands for. */
export function clientIdFromSegment(segment: string): string {
  return ESCAPED.get(segment) ?? segment;
}

/** The path segment that addresses a client: URL-encoded, dot segments escaped. */
export function clientIdSegment(clientId: string): string {
  return encodeURIComponent(clientId === "." || clientId === ".." ? `+${clientId}` : clientId);
}
