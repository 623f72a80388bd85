// Two app instances on one database: a batch ingested through one shows up on
// the other's event stream (LISTEN/NOTIFY fan-out), one LISTEN connection per
// process whatever the number of browsers, and none left once they leave.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startApp, type AppServer } from "../../test/support/app-server";
import { connected, envelope } from "../../test/support/events";
import { readSse, type SseMessage } from "./sse";

interface StreamReader {
  /** Resolves with the first message (already received or future) matching `match`. */
  waitFor(match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

async function openStream(app: AppServer): Promise<StreamReader> {
  const abort = new AbortController();
  // The stream, like every read API, needs an operator session.
  const response = await app.fetch("/api/stream", { signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  void readSse(response.body!, (received) => {
    messages.push(...received);
    for (const w of waiters) w();
  });
  return {
    waitFor(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${messages.map((m) => m.event).join(",")}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

async function ingest(baseUrl: string, body: unknown): Promise<void> {
  const response = await fetch(`${baseUrl}/api/ingest`, {
    method: "POST",
    headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const isListening = (m: SseMessage) =>
  m.event === "listener" && JSON.parse(m.data).connected === true;

async function listenConnections(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND query ILIKE 'LISTEN fleet_changes%'`,
    );
    return result.rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

describe("GET /api/stream across app instances", () => {
  const databaseUrl = inject("databaseUrl");
  let a: AppServer;
  let b: AppServer;

  beforeAll(async () => {
    [a, b] = await Promise.all([startApp({ databaseUrl }), startApp({ databaseUrl })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("pushes a batch ingested through one instance to the other's stream", async () => {
    const stream = await openStream(b);
    try {
      await stream.waitFor(isListening);
      const clientId = `fan-out/device ${Date.now()} é`;
      const started = Date.now();
      await ingest(a.url, envelope(connected(clientId, Date.now(), 1)));
      const message = await stream.waitFor(
        (m) => m.event === "client" && JSON.parse(m.data).clientId === clientId,
      );
      const latency = Date.now() - started;
      expect(JSON.parse(message.data)).toMatchObject({
        clientId,
        status: "online",
        subscriptions: [],
      });
      const summary = await stream.waitFor((m) => m.event === "summary");
      expect(JSON.parse(summary.data)).toMatchObject({
        online: expect.any(Number),
        total: expect.any(Number),
      });
      console.info(`fan-out: ingest on A → event on B's stream in ${latency} ms`);
      expect(latency).toBeLessThan(2_000);
    } finally {
      stream.close();
    }
  });

  it("asks browsers to resync when a batch changes too many clients to list", async () => {
    const stream = await openStream(b);
    try {
      await stream.waitFor(isListening);
      const now = Date.now();
      // 2,000 IDs of ~35 bytes: past the 8 NOTIFY chunks of 7,000 bytes a batch may send.
      const batch = Array.from({ length: 2000 }, (_, i) =>
        envelope(connected(`fan-out-bulk-${now}-${String(i).padStart(4, "0")}`, now, 1)),
      );
      await ingest(a.url, batch);
      await stream.waitFor((m) => m.event === "resync");
    } finally {
      stream.close();
    }
  });

  it("holds one LISTEN connection per instance, whatever the number of browsers, and none after they leave", async () => {
    const streams = await Promise.all([openStream(a), openStream(b), openStream(b), openStream(b)]);
    try {
      await Promise.all(streams.map((s) => s.waitFor(isListening)));
      expect(await listenConnections(databaseUrl)).toBe(2);
    } finally {
      for (const s of streams) s.close();
    }
    // The hub keeps LISTEN for a few seconds to ride out a page reload, then lets go.
    expect(await eventually(async () => (await listenConnections(databaseUrl)) === 0, 10_000)).toBe(
      true,
    );
  }, 20_000);
});
