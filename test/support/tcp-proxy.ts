// A loopback TCP proxy that a test can cut: every open connection is reset
// and new ones are dropped at once, as when a database host goes away.
import net from "node:net";

export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let up = true;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = net.createServer((inbound) => {
    track(inbound);
    if (!up) {
      inbound.resetAndDestroy();
      return;
    }
    const outbound = net.connect(targetPort, targetHost);
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      up = false;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore: () => {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A proxy in front of the database at `databaseUrl`, and the URL that reaches it through the proxy. */
export async function startDatabaseProxy(
  databaseUrl: string,
): Promise<{ proxy: TcpProxy; viaProxy: string }> {
  const target = new URL(databaseUrl);
  const proxy = await startTcpProxy(target.hostname, Number(target.port));
  const viaProxy = new URL(databaseUrl);
  viaProxy.port = String(proxy.port);
  return { proxy, viaProxy: viaProxy.toString() };
}
