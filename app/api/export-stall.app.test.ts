// Stalled CSV downloads against the real, built app (issue #14, finding 1):
// 50 exports by ten viewers whose readers take nothing or 1 KiB/s must not
// hold the connections sessions, ingest and health need. Past the limits an
// export is refused with 429 (the error contract, Retry-After); a stalled
// one ends at the idle timeout, a slow one at the total cap, an abandoned one
// at once, and each gives its slot back. Needs a production build.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "@/lib/db/client";
import {
  createOperator,
  startApp,
  type AppServer,
  type OperatorSession,
} from "@/test/support/app-server";
import { resetDatabase } from "@/test/support/db";
import { connected, envelope } from "@/test/support/events";

const IDLE_SECONDS = 5;
const MAX_SECONDS = 10;
const VIEWERS = 10;
const PASSWORD = "stall-viewer-password";

let app: AppServer;
let viewers: OperatorSession[] = [];
const sockets: net.Socket[] = [];

beforeAll(async () => {
  await resetDatabase();
  // 20,000 connections with 1 KB principals: a 20 MB export, far more than
  // the socket buffers between a reader that stops and the app can hold.
  await db().pool.query(
    `INSERT INTO client_state (client_id, last_event_at)
       SELECT 'stall-' || c, now() FROM generate_series(1, 200) AS c`,
  );
  await db().pool.query(
    `INSERT INTO connection (client_id, session_identifier, version_number, connected_at, disconnected_at, principal_identifier)
       SELECT 'stall-' || c, 's' || k, k, now() - (k || ' hours')::interval,
              now() - (k || ' hours')::interval + interval '10 minutes', repeat('p', 1000)
         FROM generate_series(1, 200) AS c, generate_series(1, 100) AS k`,
  );
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    env: {
      EXPORT_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS),
      HTTP_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS),
      EXPORT_MAX_SECONDS: String(MAX_SECONDS),
      EXPORT_MAX_CONCURRENT: "4",
      EXPORT_MAX_PER_OPERATOR: "2",
    },
  });
  for (let i = 0; i < VIEWERS; i += 1) {
    const username = `stall-viewer-${i}`;
    const created = await createOperator(app, { username, password: PASSWORD, role: "viewer" });
    expect([201, 409]).toContain(created.status);
  }
  viewers = await Promise.all(
    Array.from({ length: VIEWERS }, (_, i) => app.login(`stall-viewer-${i}`, PASSWORD)),
  );
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await app?.stop();
  await resetDatabase();
});

interface RawDownload {
  /** The status line's code, once it arrived. */
  status: Promise<number>;
  /** The first bytes of the answer (headers and the start of the body). */
  head: () => string;
  /** The last bytes received (a complete chunked body ends in 0 CRLF CRLF). */
  tail: () => string;
  /** From now on, reads as fast as the data comes. */
  readFreely: () => void;
  /** Bytes received so far. */
  received: () => number;
  /** Resolves when the server ended or cut the connection. */
  closed: Promise<void>;
  socket: net.Socket;
}

/**
 * An export over a raw socket whose reader takes the first bytes, then
 * nothing more (`bytesPerSecond` 0) or that many bytes a second: what a
 * stalled or throttled download looks like to the server.
 */
function rawDownload(session: OperatorSession, rate: number): RawDownload {
  let bytesPerSecond = rate;
  const socket = net.connect(app.port, "127.0.0.1");
  sockets.push(socket);
  socket.write(
    `GET /api/export/connections.csv HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nCookie: ${session.cookie}\r\n\r\n`,
  );
  let text = "";
  let received = 0;
  let tail = "";
  let resolveStatus: (code: number) => void = () => {};
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (text.length < 4096) text += chunk.toString("latin1");
    tail = (tail + chunk.toString("latin1")).slice(-16);
    const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
    if (match) resolveStatus(Number(match[1]));
    // A refused download is read to its end; an accepted one stalls or crawls.
    if (match?.[1] !== "200" || bytesPerSecond === Infinity) return;
    socket.pause();
    if (bytesPerSecond > 0)
      setTimeout(() => socket.resume(), (chunk.length / bytesPerSecond) * 1000);
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const readFreely = () => {
    bytesPerSecond = Infinity;
    socket.resume();
  };
  return {
    status,
    head: () => text,
    tail: () => tail,
    readFreely,
    received: () => received,
    closed,
    socket,
  };
}

async function timedGet(path: string, init?: RequestInit): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${app.url}${path}`, {
    ...init,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe("stalled CSV exports (issue #14, finding 1)", () => {
  it("leave ingest, health, login and reads working while 50 downloads stall", async () => {
    const downloads = Array.from({ length: 50 }, (_, i) =>
      rawDownload(viewers[i % VIEWERS]!, i % 2 === 0 ? 0 : 1024),
    );
    const statuses = await Promise.all(downloads.map((d) => d.status));
    // Four run (EXPORT_MAX_CONCURRENT); every other one is refused at once, in the contract.
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(46);
    const refused = downloads.find((_, i) => statuses[i] === 429)!;
    await expect.poll(() => refused.head()).toMatch(/too_many_requests/);
    expect(refused.head()).toMatch(/\r\nretry-after: 10\r\n/i);
    expect(refused.head()).toMatch(/"code":"too_many_requests"/);

    // While the four hold their export connections (well inside the idle timeout):
    for (let round = 0; round < 3; round += 1) {
      const health = await timedGet("/api/health");
      expect(health.status).toBe(200);
      expect(health.ms).toBeLessThan(2_000);
      const ingest = await timedGet("/api/ingest", {
        method: "POST",
        headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
        body: JSON.stringify(envelope(connected(`stall-ingest-${round}`, Date.now(), 1))),
      });
      expect(ingest.status).toBe(200);
      const session = await app.login(`stall-viewer-${round}`, PASSWORD);
      const list = await timedGet("/api/clients?limit=5", { headers: { cookie: session.cookie } });
      expect(list.status).toBe(200);
    }

    // The stalled and the 1 KiB/s readers are cut at the idle timeout and their slots come back.
    // (A reader that reads nothing cannot see the close: once it reads again, it gets what sat in
    // the socket buffers, a few MB, then the end, never the whole 20 MB nor the chunked body's end.)
    await new Promise((r) => setTimeout(r, (2 * IDLE_SECONDS + 2) * 1000));
    const running = downloads.filter((_, i) => statuses[i] === 200);
    for (const d of running) d.readFreely();
    await expect(
      Promise.race([
        Promise.all(running.map((d) => d.closed)).then(() => "closed"),
        new Promise((r) => setTimeout(() => r("still open"), 10_000)),
      ]),
    ).resolves.toBe("closed");
    for (const d of running) {
      expect(d.received()).toBeLessThan(18_000_000);
      expect(d.tail().endsWith("\r\n0\r\n\r\n")).toBe(false);
    }
    for (const d of downloads) d.socket.destroy();
    const after = await fetch(`${app.url}/api/export/connections.csv?q=stall-1`, {
      headers: { cookie: viewers[0]!.cookie },
    });
    expect(after.status).toBe(200);
    expect((await after.text()).split("\r\n").length).toBeGreaterThan(100);
  }, 90_000);

  it("gives the slots of abandoned downloads back at once", async () => {
    const viewer = viewers[5]!;
    const abandoned = [rawDownload(viewer, 0), rawDownload(viewer, 0)];
    expect(await Promise.all(abandoned.map((d) => d.status))).toEqual([200, 200]);
    const third = rawDownload(viewer, 0);
    expect(await third.status).toBe(429);
    third.socket.destroy();
    for (const d of abandoned) d.socket.destroy();
    await expect
      .poll(
        async () => {
          const response = await fetch(`${app.url}/api/export/connections.csv?q=stall-2`, {
            headers: { cookie: viewer.cookie },
          });
          await response.arrayBuffer();
          return response.status;
        },
        { timeout: 3_000, interval: 200 },
      )
      .toBe(200);
  }, 30_000);

  it("cuts a download still being read at EXPORT_MAX_SECONDS", async () => {
    // 1 MiB/s: never idle, but the whole 20 MB would take 20 s.
    const started = performance.now();
    const download = rawDownload(viewers[7]!, 1024 * 1024);
    expect(await download.status).toBe(200);
    await download.closed;
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(MAX_SECONDS - 1);
    // Cut: what was sent before the cap (and sat in socket buffers) arrives, the rest never does.
    expect(download.received()).toBeLessThan(18_000_000);
    expect(download.tail().endsWith("\r\n0\r\n\r\n")).toBe(false);
  }, 40_000);
});
