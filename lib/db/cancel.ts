// PostgreSQL's own way to stop a running statement: a CancelRequest sent on a
// new connection, naming the backend by the process ID and secret key it gave
// the client at startup (what psql's Ctrl-C and libpq's PQcancel send). Unlike
// pg_cancel_backend(pid) it needs no pooled connection, so it works when the
// pool is exhausted by the very queries it has to stop, and it is accepted
// before the server checks max_connections. No "server-only": lib/db/client.ts
// reaches it (see there).
import net from "node:net";
import type pg from "pg";

/** The CancelRequest code (protocol 3.0: 1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/** What node-pg keeps from the server's BackendKeyData message (not in its typings). */
interface BackendKey {
  processID: number | null;
  secretKey: number | null;
}

/** The backend process ID a connected client talks to (null before its startup). */
export function backendPid(client: pg.ClientBase): number | null {
  return (client as unknown as BackendKey).processID;
}

/**
 * Asks the server to cancel whatever `client`'s backend is running now.
 * Resolves true once the server has taken the request and closed the
 * connection (it signals the backend before it closes), false if it could
 * not be delivered within `timeoutMs`. A backend that is idle ignores it.
 */
export function sendCancelRequest(client: pg.Client, timeoutMs = 2_000): Promise<boolean> {
  const { processID, secretKey } = client as unknown as BackendKey;
  if (processID === null || secretKey === null) return Promise.resolve(false);
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  return new Promise((resolve) => {
    // A host starting with "/" is a Unix socket directory, as node-pg reads it.
    const socket = client.host.startsWith("/")
      ? net.connect(`${client.host}/.s.PGSQL.${client.port}`)
      : net.connect(client.port, client.host);
    let delivered = false;
    let timedOut = false;
    socket.setTimeout(timeoutMs, () => {
      timedOut = true;
      socket.destroy();
    });
    socket.on("connect", () => socket.end(packet, () => (delivered = true)));
    socket.on("error", () => {});
    // The server closes its end only after it has signalled the backend.
    socket.on("close", (hadError) => resolve(delivered && !hadError && !timedOut));
  });
}
