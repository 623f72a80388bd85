// Login abuse through the real, built app with no trusted proxy (issue #14,
// findings 7 and 8; issue #19, "lockout must not reveal which usernames
// exist"): junk cannot block the right password, an unknown name locks
// exactly like a real one, and forged X-Forwarded-* headers are ignored.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createOperator, startApp, type AppServer } from "@/test/support/app-server";

let app: AppServer;
const REAL = { username: "abuse-real", password: "abuse-real-password" };

beforeAll(async () => {
  app = await startApp({ databaseUrl: inject("databaseUrl") });
  const created = await createOperator(app, { ...REAL, role: "viewer" });
  expect([201, 409]).toContain(created.status);
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

async function login(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as unknown,
    cookies: response.headers.getSetCookie(),
  };
}

describe("password logins under abuse", () => {
  it("a flood of junk logins cannot block the right password (finding 7)", async () => {
    // More than the old global budget of 300 attempts per 5 minutes for all direct clients.
    const junk = Array.from({ length: 320 }, (_, i) => ({
      username: `junk-${i}-${Math.random().toString(36).slice(2, 8)}`,
      password: "not-a-password",
    }));
    for (let i = 0; i < junk.length; i += 16) {
      const answers = await Promise.all(junk.slice(i, i + 16).map((body) => login(body)));
      for (const answer of answers) expect(answer.status).toBe(401);
    }
    const real = await login(REAL);
    expect(real.status).toBe(200);
  }, 120_000);

  it("an unknown name is locked after the same failures, with the same answer (issue #19)", async () => {
    const answersFor = async (username: string) => {
      const answers = [];
      for (let i = 0; i < 6; i += 1)
        answers.push(await login({ username, password: `wrong-password-${i}` }));
      return answers.map((a) => ({ status: a.status, body: a.body }));
    };
    const unknown = await answersFor("abuse-nobody-here");
    expect(unknown.slice(0, 5).every((a) => a.status === 401)).toBe(true);
    expect(unknown[5]).toEqual({
      status: 429,
      body: {
        error: {
          code: "too_many_requests",
          message: "Too many failed logins: the account is locked for 15 more minute(s).",
        },
      },
    });
  });

  it("an existing account and an unknown name answer alike, failure for failure", async () => {
    const created = await createOperator(app, {
      username: "abuse-lockme",
      password: "abuse-lockme-password",
    });
    expect(created.status).toBe(201);
    const sequence = async (username: string) => {
      const out = [];
      for (let i = 0; i < 6; i += 1) {
        const a = await login({ username, password: `wrong-password-${i}` });
        out.push({ status: a.status, body: a.body });
      }
      return out;
    };
    expect(await sequence("abuse-nobody-2")).toEqual(await sequence("abuse-lockme"));
  });

  it("ignores X-Forwarded-Host and -Proto without TRUST_PROXY (finding 8)", async () => {
    // A cross-site login form that claims, by header, to be same-site.
    const forgedHost = await login(REAL, {
      origin: "https://evil.example",
      "x-forwarded-host": "evil.example",
    });
    expect(forgedHost).toMatchObject({
      status: 403,
      body: { error: { code: "csrf_failed", message: "Cross-site login attempt refused." } },
    });
    // Plain HTTP that claims to be HTTPS: the cookies stay as for HTTP.
    const forgedProto = await login(REAL, { "x-forwarded-proto": "https" });
    expect(forgedProto.status).toBe(200);
    expect(forgedProto.cookies.some((c) => /;\s*Secure/i.test(c))).toBe(false);
  });
});
