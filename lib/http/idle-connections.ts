// Closes HTTP connections on which no byte has moved, either way, for
// HTTP_IDLE_TIMEOUT_SECONDS. A reader that stops reading a long response
// (a CSV export, a stream) leaves the server's write waiting for a 'drain'
// that never comes: the route cannot end that response itself (Next.js
// waits for the pending write before it gives up on the socket), so the
// socket, its kernel buffers and the response's queued chunks would stay
// until the client left. The export frees its database connection and slot
// by itself (lib/export); this frees the rest. Live streams are not
// affected: their heartbeat (lib/stream/sse.ts) writes every 10 s.
import diagnostics from "node:diagnostics_channel";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { z } from "zod";

const IdleEnv = z.object({
  HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().positive().default(60),
});

export function httpIdleTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return IdleEnv.parse(env).HTTP_IDLE_TIMEOUT_SECONDS * 1000;
}

let installed = false;

/**
 * Arms the idle timeout on every connection that carries a request of this
 * process (found through Node's `http.server.request.start` diagnostics
 * channel, since Next.js does not hand out its server) and destroys the
 * socket when it fires: Node's own default only does that when nothing else
 * listens for the timeout, which it cannot know here. Idempotent.
 */
export function closeIdleConnections(idleMs = httpIdleTimeoutMs()): void {
  if (installed) return;
  installed = true;
  const armed = new WeakSet<Socket>();
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { socket } = message as { server: Server; socket: Socket };
    // Every request re-arms it: Node clears a kept-alive socket's timeout when its next request comes.
    socket.setTimeout(idleMs);
    if (armed.has(socket)) return;
    armed.add(socket);
    socket.on("timeout", () => socket.destroy());
  });
}
