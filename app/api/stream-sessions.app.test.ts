// Live streams end with their session (issue #14, finding 3; issue #19,
// "password reset revokes sessions"), through the real, built app: logout,
// a disabled operator, a new password by any path (the admin API, the
// upsert `npm start` runs, plain SQL) and expiry each end an open
// /api/stream within seconds with a last `close` event; shutdown ends every
// stream at once, so the process exits in seconds with tabs open. Streams
// opened with an API token (issue #18) end when it is revoked or expires.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { upsertOperator } from "@/lib/auth/operators";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { parseSse, type SseMessage } from "@/lib/stream/sse";
import {
  createOperator,
  startApp,
  type AppServer,
  type OperatorSession,
} from "@/test/support/app-server";

const run = promisify(execFile);
let app: AppServer;
const PASSWORD = "stream-session-password";

beforeAll(async () => {
  app = await startApp({
    databaseUrl: inject("databaseUrl"),
    // Far longer than any wait below: revocations must arrive by NOTIFY, not by the timer.
    env: { STREAM_SESSION_CHECK_SECONDS: "300" },
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

async function viewer(name: string): Promise<{ session: OperatorSession; id: string }> {
  const created = await createOperator(app, { username: name, password: PASSWORD, role: "viewer" });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  return { session: await app.login(name, PASSWORD), id };
}

interface OpenedStream {
  messages: SseMessage[];
  text: () => string;
  /** Resolves with the milliseconds from `mark()` to the stream's end. */
  ended: Promise<number>;
  mark: () => void;
  abort: () => void;
}

/** A stream opened with a session's cookie, or with `Authorization: Bearer <API token>`. */
async function openStream(as: OperatorSession | { apiToken: string }): Promise<OpenedStream> {
  const abort = new AbortController();
  const response = await fetch(`${app.url}/api/stream`, {
    headers: "apiToken" in as ? { Authorization: `Bearer ${as.apiToken}` } : { cookie: as.cookie },
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const messages: SseMessage[] = [];
  let text = "";
  let markedAt = performance.now();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const ended = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        const parsed = parseSse(buffer + value);
        buffer = parsed.rest;
        messages.push(...parsed.messages);
        if (messages.some((m) => m.event === "ready")) ready();
      }
    } catch {
      // Aborted by the test.
    }
    return performance.now() - markedAt;
  })();
  await isReady;
  return {
    messages,
    text: () => text,
    ended,
    mark: () => (markedAt = performance.now()),
    abort: () => abort.abort(),
  };
}

/** Resolves with the stream's end, or rejects after `ms`. */
function within(stream: OpenedStream, ms: number): Promise<number> {
  return Promise.race([
    stream.ended,
    new Promise<number>((_, reject) =>
      setTimeout(() => reject(new Error(`the stream was still open after ${ms} ms`)), ms),
    ),
  ]);
}

const closeEvent = (stream: OpenedStream) => stream.messages.find((m) => m.event === "close")?.data;

async function createApiToken(
  name: string,
  expiresAt?: Date,
): Promise<{ id: string; token: string }> {
  const response = await app.fetch("/api/admin/api-tokens", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name, role: "viewer", expiresAt: expiresAt?.toISOString() }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string };
}

describe("live streams opened with an API token", () => {
  it("streams to a viewer token sent as Authorization: Bearer, with the `client` events", async () => {
    const { token } = await createApiToken("stream reader");
    const stream = await openStream({ apiToken: token });
    const ingested = await fetch(`${app.url}/api/ingest`, {
      method: "POST",
      headers: { Authorization: "Bearer test-token", "Content-Type": "application/json" },
      body: JSON.stringify({
        topic: "$aws/events/presence/connected/stream-token-device",
        payload: {
          clientId: "stream-token-device",
          timestamp: Date.now(),
          eventType: "connected",
          sessionIdentifier: "s-1",
          principalIdentifier: "p-1",
          versionNumber: 1,
        },
      }),
    });
    expect(ingested.status).toBe(200);
    const deadline = Date.now() + 5_000;
    const seen = () =>
      stream.messages.some(
        (m) => m.event === "client" && JSON.parse(m.data).clientId === "stream-token-device",
      );
    while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen()).toBe(true);
    stream.abort();
  });

  it("revoking the token ends its open stream within seconds, saying why", async () => {
    const { id, token } = await createApiToken("stream revoked");
    const stream = await openStream({ apiToken: token });
    stream.mark();
    const revoked = await app.fetch(`/api/admin/api-tokens/${id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    // STREAM_SESSION_CHECK_SECONDS is 300: only the database's notice can end it this fast.
    expect(await within(stream, 3_000)).toBeLessThan(3_000);
    expect(JSON.parse(closeEvent(stream)!)).toEqual({ reason: "revoked", retryMs: 60_000 });
    const again = await fetch(`${app.url}/api/stream`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({
      error: { code: "unauthorized", message: "The API token has been revoked." },
    });
  });

  it("a token's expiry ends its stream", async () => {
    const { token } = await createApiToken("stream expiring", new Date(Date.now() + 2_500));
    const stream = await openStream({ apiToken: token });
    await within(stream, 6_000);
    expect(JSON.parse(closeEvent(stream)!).reason).toBe("expired");
  });

  it.each([
    ["access_token", (t: string) => `access_token=${t}`],
    ["any query value shaped like a token", (t: string) => `q=${t}`],
  ])("refuses a token in the query string (%s)", async (_case, query) => {
    const { token } = await createApiToken("stream in url");
    const response = await fetch(`${app.url}/api/stream?${query(encodeURIComponent(token))}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        code: "unauthorized",
        message: "Tokens are not accepted in the URL; send Authorization: Bearer <token>.",
      },
    });
  });
});

describe("live streams end with their session", () => {
  it("logout ends the session's open stream within seconds, saying why", async () => {
    const { session } = await viewer("stream-logout");
    const stream = await openStream(session);
    stream.mark();
    const logout = await fetch(`${app.url}/api/auth/logout`, {
      method: "POST",
      headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
    });
    expect(logout.status).toBeLessThan(400);
    expect(await within(stream, 3_000)).toBeLessThan(3_000);
    expect(JSON.parse(closeEvent(stream)!)).toEqual({ reason: "revoked", retryMs: 60_000 });
    expect(stream.text()).toMatch(/retry: 60000\n\nevent: close\n/);
  });

  it("disabling the operator ends its streams", async () => {
    const { session, id } = await viewer("stream-disabled");
    const stream = await openStream(session);
    const patched = await app.fetch(`/api/admin/operators/${id}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ disabled: true }),
    });
    expect(patched.status).toBe(200);
    await within(stream, 3_000);
    expect(JSON.parse(closeEvent(stream)!).reason).toBe("revoked");
  });

  it.each([
    {
      path: "the upsert every `npm start` runs (issue #19)",
      change: (name: string) =>
        upsertOperator({ username: name, password: "a-new-password-1", role: "viewer" }),
    },
    {
      path: "`npm run user:add -- --update` (the script itself)",
      change: async (name: string) => {
        const { stdout } = await run(
          process.execPath,
          [
            "--conditions=react-server",
            "--import",
            "tsx",
            "scripts/user-add.ts",
            "--username",
            name,
            "--password",
            "a-new-password-3",
            "--role",
            "viewer",
            "--update",
          ],
          { env: { ...process.env, DATABASE_URL: inject("databaseUrl") } },
        );
        expect(stdout).toMatch(/saved viewer/);
      },
    },
    {
      path: "plain SQL",
      change: async (name: string) =>
        db().pool.query("UPDATE operator SET password_hash = $2 WHERE username = $1", [
          name,
          await hashPassword("a-new-password-2"),
        ]),
    },
  ])(
    "a new password through $path revokes the old sessions and ends their streams",
    async ({ change, path }) => {
      const name = `stream-reset-${path.length}`;
      const { session } = await viewer(name);
      const stream = await openStream(session);
      await change(name);
      await within(stream, 3_000);
      expect(JSON.parse(closeEvent(stream)!).reason).toBe("revoked");
      const old = await fetch(`${app.url}/api/clients`, { headers: { cookie: session.cookie } });
      expect(old.status).toBe(401);
    },
  );

  it("no stream outlives its session's expiry", async () => {
    const { session } = await viewer("stream-expiry");
    await db().pool.query(
      `UPDATE operator_session SET expires_at = now() + interval '2 seconds'
        WHERE operator_id = (SELECT id FROM operator WHERE username = 'stream-expiry')`,
    );
    const stream = await openStream(session);
    stream.mark();
    const ms = await within(stream, 5_000);
    expect(ms).toBeLessThan(3_000);
    expect(JSON.parse(closeEvent(stream)!).reason).toBe("expired");
  });

  it("shutdown ends every open stream at once, telling browsers to come back later", async () => {
    const session = await app.login();
    const streams = await Promise.all([1, 2, 3].map(() => openStream(session)));
    const started = performance.now();
    await app.stop();
    const seconds = (performance.now() - started) / 1000;
    // Next.js waits for open responses: before, the shutdown lasted as long as a tab stayed open.
    expect(seconds).toBeLessThan(5);
    for (const stream of streams) {
      await within(stream, 1_000);
      expect(JSON.parse(closeEvent(stream)!)).toEqual({ reason: "shutdown", retryMs: 5_000 });
      expect(stream.text()).toMatch(/retry: 5000\n\nevent: close\n/);
    }
  }, 30_000);
});
