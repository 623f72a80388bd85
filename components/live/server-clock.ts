// pendingUntil is a server instant; a browser whose clock runs a minute
// late would show "pending" a minute too long. The stream's `ready` event
// carries the server's time, which gives the offset (to within latency).

let offsetMs = 0;

export function setServerTime(serverIso: string): void {
  const server = Date.parse(serverIso);
  if (Number.isFinite(server)) offsetMs = server - Date.now();
}

/** The server's idea of now, in ms. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

export function serverOffset(): number {
  return offsetMs;
}
