// Runs the real, built Next.js app (`next start`) as a child process, for
// tests that need the whole HTTP server: bridge end-to-end, faults, SSE.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { hashPassword, verifyPassword } from "../../lib/auth/password";
import { freePort } from "../../lib/db/embedded";
import { APP_NODE_ARGS, NEXT_BIN } from "../../lib/next-process";

/** The admin every test app starts with (created on first start from ADMIN_USERNAME/ADMIN_PASSWORD). */
export const TEST_ADMIN = { username: "test-admin", password: "test-admin-password" };

export interface OperatorSession {
  /** Cookie header value carrying the session and CSRF cookies. */
  cookie: string;
  csrfToken: string;
}

export interface AppServer {
  url: string;
  port: number;
  /** The last 20,000 characters the app wrote to stdout and stderr. */
  output(): string;
  /** Logs in (as the test admin by default) and returns the session cookies. */
  login(username?: string, password?: string): Promise<OperatorSession>;
  /** fetch() as the logged-in test admin: cookie on every request, CSRF header on writes. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  restart(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the app did not become healthy within ${timeoutMs} ms`);
}

/**
 * Makes sure the test admin exists, enabled, with its known password: test
 * files share one database, and one of them may have created other admins
 * (so the first-start bootstrap would not run) or changed this one.
 */
async function ensureTestAdmin(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A new hash revokes the admin's sessions (a password change does): keep
    // the stored one while it still matches, so a second app on the database
    // does not log out the first one's browsers.
    const { rows } = await client.query<{ password_hash: string }>(
      "SELECT password_hash FROM operator WHERE lower(username) = lower($1)",
      [TEST_ADMIN.username],
    );
    const stored = rows[0]?.password_hash;
    const hash =
      stored !== undefined && (await verifyPassword(TEST_ADMIN.password, stored))
        ? stored
        : await hashPassword(TEST_ADMIN.password);
    await client.query(
      `INSERT INTO operator (username, password_hash, role) VALUES ($1, $2, 'admin')
       ON CONFLICT ((lower(username))) DO UPDATE SET password_hash = EXCLUDED.password_hash,
         role = 'admin', disabled = false, failed_logins = 0, locked_until = NULL`,
      [TEST_ADMIN.username, hash],
    );
  } finally {
    await client.end();
  }
}

export async function startApp(opts: {
  databaseUrl: string;
  env?: Record<string, string>;
  /** A fixed port; without one the app gets a free port, and another if that one is taken before it binds. */
  port?: number;
  /** Extra flags for the app's Node.js process, e.g. --cpu-prof. */
  nodeArgs?: string[];
}): Promise<AppServer> {
  if (!existsSync(path.resolve(process.env.NEXT_DIST_DIR ?? ".next", "BUILD_ID"))) {
    throw new Error(
      "No production build: run `npm run build` (npm test does) before app-level tests",
    );
  }
  let port = opts.port ?? (await freePort());
  let url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";
  await ensureTestAdmin(opts.databaseUrl);

  const launch = async () => {
    output = "";
    child = spawn(
      process.execPath,
      [
        ...APP_NODE_ARGS,
        ...(opts.nodeArgs ?? []),
        NEXT_BIN,
        "start",
        "-H",
        "127.0.0.1",
        "-p",
        String(port),
      ],
      {
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: "1",
          INGEST_TOKEN: "test-token",
          ADMIN_USERNAME: TEST_ADMIN.username,
          ADMIN_PASSWORD: TEST_ADMIN.password,
          ...opts.env,
          DATABASE_URL: opts.databaseUrl,
          PORT: String(port),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    try {
      await waitForHealth(url, child, 30_000);
    } catch (error) {
      child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}\n${output}`);
    }
  };

  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill(signal);
    });
  };

  // A free port can be taken between freePort() and the app's bind (any
  // outgoing connection may get it as its local port): then take another.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await launch();
      break;
    } catch (error) {
      if (opts.port !== undefined || attempt >= 3 || !/EADDRINUSE/.test((error as Error).message))
        throw error;
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
    }
  }
  const login = async (username = TEST_ADMIN.username, password = TEST_ADMIN.password) => {
    const response = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
    const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]!);
    const csrf =
      cookies.find((c) => c.startsWith("fleet_csrf="))?.slice("fleet_csrf=".length) ?? "";
    return { cookie: cookies.join("; "), csrfToken: csrf };
  };
  let session: OperatorSession | undefined;
  return {
    url,
    port,
    output: () => output,
    login,
    fetch: async (path, init = {}) => {
      session ??= await login();
      const headers = new Headers(init.headers);
      headers.set("cookie", session.cookie);
      if (init.method && init.method !== "GET" && init.method !== "HEAD")
        headers.set("x-csrf-token", session.csrfToken);
      return fetch(`${url}${path}`, { ...init, headers });
    },
    stop: () => stopChild("SIGTERM"),
    kill: (signal = "SIGKILL") => {
      child?.kill(signal);
    },
    restart: async () => {
      await stopChild("SIGKILL");
      await launch();
    },
  };
}

/** POST /api/admin/operators as the test admin: the response, for the test to check. */
export function createOperator(
  app: AppServer,
  account: { username: string; password: string; role?: "viewer" | "admin" },
): Promise<Response> {
  return app.fetch("/api/admin/operators", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(account),
  });
}
