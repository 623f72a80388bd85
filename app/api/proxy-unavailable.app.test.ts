// Issue #14, finding 10: while the database is unreachable, the proxy (and
// the request gate in front of it) answer 503 with Retry-After, for APIs in
// the error contract and for pages with a notice that retries by itself.
// The app's database connections go through a TCP proxy the test cuts.
// Needs a production build.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer, type OperatorSession } from "@/test/support/app-server";
import { startDatabaseProxy, type TcpProxy } from "@/test/support/tcp-proxy";

let app: AppServer;
let tcp: TcpProxy;
let session: OperatorSession;

beforeAll(async () => {
  const { proxy, viaProxy } = await startDatabaseProxy(inject("databaseUrl"));
  tcp = proxy;
  app = await startApp({ databaseUrl: viaProxy });
  session = await app.login();
}, 60_000);

afterAll(async () => {
  tcp?.restore();
  await app?.stop();
  await tcp?.close();
});

describe("the database unreachable", () => {
  it("a session's API call, page and write all answer 503 with Retry-After", async () => {
    tcp.cut();
    try {
      const api = await fetch(`${app.url}/api/clients`, { headers: { cookie: session.cookie } });
      expect(api.status).toBe(503);
      expect(api.headers.get("retry-after")).toBe("5");
      expect(await api.json()).toMatchObject({ error: { code: "database_unavailable" } });

      const page = await fetch(`${app.url}/`, { headers: { cookie: session.cookie } });
      expect(page.status).toBe(503);
      expect(page.headers.get("retry-after")).toBe("5");
      expect(await page.text()).toMatch(/database is unreachable/);

      // A write with a body: the request gate checks the session before the body, and says the same.
      const write = await fetch(`${app.url}/api/clients/x/labels`, {
        method: "PUT",
        headers: {
          cookie: session.cookie,
          "x-csrf-token": session.csrfToken,
          "content-type": "application/json",
        },
        body: JSON.stringify({ labels: { a: "b" } }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get("retry-after")).toBe("5");
      expect(await write.json()).toMatchObject({ error: { code: "database_unavailable" } });
    } finally {
      tcp.restore();
    }
  });
});
