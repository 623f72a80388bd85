// The broker's TCP and WebSocket listeners, and every socket they accepted,
// so a close can end even those that never became MQTT clients.
import { once } from "node:events";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import type { Aedes } from "aedes";
import { createServer } from "aedes-server-factory";
import type { Logger } from "../log/logger";

export interface Listeners {
  tcpPort: number;
  wsPort: number;
  /** Stops accepting connections; resolves when both listeners are closed. */
  stopAccepting(): Promise<void>;
  /** Ends every socket still open. */
  destroySockets(): void;
}

async function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** Listens on both ports; on failure closes what did listen and throws. */
export async function openListeners(
  aedes: Aedes,
  options: {
    host: string;
    tcpPort: number;
    wsPort: number;
    tls?: { key: string | Buffer; cert: string | Buffer };
    log: Logger;
  },
): Promise<Listeners> {
  const { tls, log } = options;
  const tcpServer = createServer(aedes, tls ? { tls } : {});
  const wsServer = createServer(aedes, tls ? { ws: true, https: tls } : { ws: true }) as HttpServer;
  const sockets = new Set<Socket>();
  for (const server of [tcpServer, wsServer]) {
    server.on("error", (error) => log.error("listener error", { error }));
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
  }
  try {
    const tcpPort = await listen(tcpServer, options.tcpPort, options.host);
    const wsPort = await listen(wsServer, options.wsPort, options.host);
    return {
      tcpPort,
      wsPort,
      stopAccepting: async () => {
        await Promise.all(
          [tcpServer, wsServer].map(
            (s) => new Promise<void>((resolve) => s.close(() => resolve())),
          ),
        );
      },
      destroySockets: () => {
        for (const socket of sockets) socket.destroy();
      },
    };
  } catch (error) {
    for (const server of [tcpServer, wsServer]) if (server.listening) server.close();
    throw error;
  }
}
