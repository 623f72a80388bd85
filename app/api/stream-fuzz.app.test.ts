// Property-based fuzzing of GET /api/stream (issue #5, "Hostile input"):
// whatever the query string, Last-Event-ID, Accept header or session, the
// answer comes within the time bound and is either the event stream (the
// `ready` event first) or a 4xx with exactly the error contract, never a
// 500; a closed stream leaves nothing subscribed behind. Through the real,
// built app (proxy included), and in process for the subscriber count.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { changeHub } from "@/lib/stream/hub";
import { parseSse } from "@/lib/stream/sse";
import { createSession, SESSION_COOKIE } from "@/lib/auth/sessions";
import { db } from "@/lib/db/client";
import {
  startApp,
  TEST_ADMIN,
  type AppServer,
  type OperatorSession,
} from "@/test/support/app-server";
import { hostileString } from "@/test/support/fuzz-arbitraries";
import { REQUEST_BUDGET_MS } from "@/test/support/fuzz-checks";
import { BASE } from "@/test/support/routes";
import { GET as stream } from "./stream/route";
import { runs } from "@/test/support/runs";

let app: AppServer;
let session: OperatorSession;

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
  session = await app.login();
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

/** Header values a client can send: any byte but the controls fetch refuses (tab is fine). */
const headerValue = fc.oneof(
  fc
    .string({
      unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)),
      maxLength: 60,
    })
    .map((s) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, " ")),
  fc.constantFrom("", "0", "-1", "1e309", "NaN", "9".repeat(400), "\u00ff\u00fe", "%00", " 42 "),
  fc.integer().map(String),
);

const queryArb = fc.array(
  fc.tuple(
    fc.oneof(
      hostileString(8),
      fc.constantFrom("lastEventId", "since", "clientId", "__proto__", "retry"),
    ),
    fc.oneof(hostileString(30), fc.constantFrom("x".repeat(4000), "%", "%ZZ", "")),
  ),
  { maxLength: 4 },
);

/** Reads until the `ready` event (or the budget runs out), then hangs up. */
async function openStream(
  path: string,
  headers: Headers,
): Promise<{ status: number; type: string; text: string; events: string[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_BUDGET_MS);
  const started = performance.now();
  try {
    const response = await fetch(`${app.url}${path}`, { headers, signal: controller.signal });
    const type = response.headers.get("content-type") ?? "";
    if (!type.startsWith("text/event-stream")) {
      return { status: response.status, type, text: await response.text(), events: [] };
    }
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const events = parseSse(text).messages.map((m) => m.event);
      if (events.includes("ready")) {
        await reader.cancel();
        return { status: response.status, type, text, events };
      }
    }
    return {
      status: response.status,
      type,
      text,
      events: parseSse(text).messages.map((m) => m.event),
    };
  } finally {
    clearTimeout(timer);
    controller.abort();
    expect(performance.now() - started, `${path} took too long`).toBeLessThan(REQUEST_BUDGET_MS);
  }
}

describe("GET /api/stream under hostile input", () => {
  it("answers any query, Last-Event-ID and Accept with the stream or the exact 4xx contract", async () => {
    await fc.assert(
      fc.asyncProperty(
        queryArb,
        fc.option(headerValue, { nil: undefined }),
        fc.option(
          fc.constantFrom(
            "text/event-stream",
            "application/json",
            "*/*",
            "text/html",
            "garbage/;;",
          ),
          { nil: undefined },
        ),
        fc.constantFrom("admin", "admin", "admin", "anonymous", "forged"),
        async (pairs, lastEventId, accept, who) => {
          const query = new URLSearchParams(pairs).toString();
          const headers = new Headers();
          if (lastEventId !== undefined) headers.set("last-event-id", lastEventId);
          if (accept !== undefined) headers.set("accept", accept);
          if (who === "admin") headers.set("cookie", session.cookie);
          // A client may claim to be someone: the proxy drops the header.
          if (who === "forged")
            headers.set(
              "x-fleet-principal",
              encodeURIComponent(
                JSON.stringify({ operatorId: "1", username: "x", role: "admin", csrfToken: "x" }),
              ),
            );
          const path = `/api/stream${query ? `?${query}` : ""}`;
          const answer = await openStream(path, headers);
          const context = `${path} last-event-id=${JSON.stringify(lastEventId)} accept=${accept} as ${who} → ${answer.status} ${answer.text.slice(0, 200)}`;
          if (who !== "admin") {
            expect(answer.status, context).toBe(401);
            expect(JSON.parse(answer.text), context).toEqual({
              error: { code: "unauthorized", message: "Log in first." },
            });
            return;
          }
          expect(answer.status, context).toBe(200);
          expect(answer.type, context).toBe("text/event-stream; charset=utf-8");
          expect(answer.text.startsWith("retry: "), context).toBe(true);
          expect(answer.events, context).toContain("ready");
        },
      ),
      { numRuns: runs(150) },
    );
    // The app still serves after every stream was dropped mid-way.
    expect((await app.fetch("/api/health")).status).toBe(200);
  }, 600_000);

  it("refuses writes to the stream with the error contract", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${app.url}/api/stream`, {
        method,
        headers: { cookie: session.cookie },
      });
      expect(response.status, method).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: "csrf_failed" } });
      const allowedThrough = await fetch(`${app.url}/api/stream`, {
        method,
        headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
      });
      expect(allowedThrough.status, method).toBe(405);
      expect(allowedThrough.headers.get("allow")).toBe("GET");
      expect(await allowedThrough.json()).toEqual({
        error: {
          code: "method_not_allowed",
          message: `${method} is not allowed on /api/stream; use GET.`,
        },
      });
    }
  });

  it("a stream closed by the client (even before it started) leaves no subscriber behind", async () => {
    const hub = changeHub();
    const baseline = hub.subscriberCount;
    // The route runs in process here, behind no proxy: it checks the session cookie itself.
    const { rows } = await db().pool.query<{ id: string }>(
      "SELECT id::text FROM operator WHERE username = $1",
      [TEST_ADMIN.username],
    );
    const { token } = await createSession(BigInt(rows[0]!.id));
    await fc.assert(
      fc.asyncProperty(
        queryArb,
        fc.option(headerValue, { nil: undefined }),
        fc.constantFrom("before", "after-first", "cancel"),
        async (pairs, lastEventId, how) => {
          const controller = new AbortController();
          if (how === "before") controller.abort();
          const headers = new Headers({ cookie: `${SESSION_COOKIE}=${token}` });
          if (lastEventId !== undefined) headers.set("last-event-id", lastEventId);
          const request = new Request(`${BASE}/api/stream?${new URLSearchParams(pairs)}`, {
            headers,
            signal: controller.signal,
          });
          const response = await stream(request);
          expect(response.status).toBe(200);
          const reader = response.body!.getReader();
          if (how === "cancel") {
            await reader.cancel();
          } else {
            const first = await reader.read();
            if (how === "after-first") {
              expect(new TextDecoder().decode(first.value)).toContain("event: ready");
              controller.abort();
            }
            // The stream ends once aborted.
            const deadline = Date.now() + REQUEST_BUDGET_MS;
            for (;;) {
              const next = await reader.read();
              if (next.done) break;
              expect(Date.now()).toBeLessThan(deadline);
            }
          }
          expect(hub.subscriberCount).toBe(baseline);
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
