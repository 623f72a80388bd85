// Runs the real, built Next.js app (`next start`) as a child process, for
// tests that need the whole HTTP server: bridge end-to-end, faults, SSE.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "../db/embedded";

export interface AppServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  restart(): Promise<void>;
}

const NEXT_BIN = path.resolve("node_modules/next/dist/bin/next");

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

export async function startApp(opts: {
  databaseUrl: string;
  env?: Record<string, string>;
  port?: number;
  /** Extra flags for the app's Node.js process, e.g. --cpu-prof. */
  nodeArgs?: string[];
}): Promise<AppServer> {
  if (!existsSync(path.resolve(".next/BUILD_ID"))) {
    throw new Error(
      "No production build: run `npm run build` (npm test does) before app-level tests",
    );
  }
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async () => {
    output = "";
    child = spawn(
      process.execPath,
      [...(opts.nodeArgs ?? []), NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(port)],
      {
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: "1",
          INGEST_TOKEN: "test-token",
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

  await launch();
  return {
    url,
    port,
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
