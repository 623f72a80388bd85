// Issue #14, findings 9 and 10, through the real, built app: authenticated
// JSON is never cached, unknown API paths answer in the error contract, and
// the paths the proxy skips are only the real static files.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "@/test/support/app-server";

let app: AppServer;

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

describe("loose ends", () => {
  it.each(["/api/clients", "/api/stats/summary", "/api/auth/me"])(
    "authenticated JSON from %s is no-store and varies by cookie (finding 9)",
    async (path) => {
      const response = await app.fetch(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("vary")).toMatch(/Cookie, Authorization/);
    },
  );

  it("an unknown /api path answers the JSON error contract, not an HTML page (finding 10)", async () => {
    for (const method of ["GET", "POST"]) {
      const response = await app.fetch("/api/no-such-thing/here", { method });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        error: { code: "not_found", message: "No API at /api/no-such-thing/here." },
      });
    }
  });

  it.each(["/favicon.ico.evil", "/favicon.icox", "/_next/staticx", "/_next/image-evil"])(
    "%s is not skipped by the proxy: security headers, and no trust in a sent principal (finding 10)",
    async (path) => {
      const response = await fetch(`${app.url}${path}`, {
        redirect: "manual",
        headers: {
          "x-fleet-principal": encodeURIComponent(
            JSON.stringify({ operatorId: "1", username: "forged", role: "admin", csrfToken: "x" }),
          ),
        },
      });
      expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      // Anonymous: the page asks for a login instead of rendering as the forged admin.
      expect(response.status).toBe(307);
      expect(response.headers.get("location")).toMatch(/\/login\?next=/);
    },
  );
});

describe("odd methods and the paths the proxy skips (finding 10)", () => {
  // (CONNECT never reaches the app: Node.js closes such a connection itself.)
  it.each(["TRACE", "PROPFIND"])(
    "%s answers a JSON 405, not a 500 with a stack in the log",
    async (method) => {
      for (const path of ["/", "/api/clients", "/api/ingest", "/favicon.ico"]) {
        const answer = await rawRequest(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        expect(answer, `${method} ${path}`).toMatch(/^HTTP\/1\.1 405/);
        expect(answer).toMatch(/\r\ncontent-type: application\/json/i);
        expect(answer).toMatch(/"code":"method_not_allowed"/);
      }
      expect(app.output()).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
      expect(app.output()).not.toMatch(/TRACE|PROPFIND/);
    },
  );

  it.each(["/favicon.ico", "/_next/static/no-such-file.js", "/_next/image"])(
    "%s, which the proxy skips, gets the security headers and never renders a sent principal",
    async (path) => {
      const response = await fetch(`${app.url}${path}`, {
        redirect: "manual",
        headers: {
          "x-fleet-principal": encodeURIComponent(
            JSON.stringify({
              operatorId: "1",
              username: "forged-admin",
              role: "admin",
              csrfToken: "x",
            }),
          ),
        },
      });
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("content-security-policy")).toMatch(/default-src/);
      expect(await response.text()).not.toContain("forged-admin");
    },
  );
});

/** One request over a raw socket (fetch refuses TRACE and CONNECT); resolves with the whole answer. */
function rawRequest(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(app.port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => resolve(text));
    socket.write(head.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
  });
}
