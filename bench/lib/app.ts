// The built app (`next start` through test/support/app-server), plus its
// process ID so the benchmarks can read its memory.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readlinkSync, rmSync } from "node:fs";
import path from "node:path";
import { startApp, type AppServer } from "../../test/support/app-server";
import { pidListeningOn } from "./process-memory";

export const BENCH_TOKEN = "bench-token";

export interface BenchApp extends AppServer {
  pid: number;
}

export interface AppOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** Writes a V8 CPU profile of the app to this folder when it stops. */
  profileDir?: string;
}

/**
 * True while a `next build` is rewriting this checkout's .next (an app started
 * now would serve half a build). Builds in other checkouts on the machine
 * write their own .next: they are not waited for.
 */
function buildRunning(): boolean {
  let pids: string[];
  try {
    pids = execFileSync("pgrep", ["-f", "next build"], { encoding: "utf8" }).split(/\s+/);
  } catch {
    return false; // none at all
  }
  const here = path.resolve(process.cwd());
  return pids.some((pid) => {
    try {
      return pid !== "" && readlinkSync(`/proc/${pid}/cwd`) === here;
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

export async function startBenchApp(opts: AppOptions): Promise<BenchApp> {
  for (let waited = 0; buildRunning(); waited += 5) {
    if (waited >= 600)
      throw new Error(
        "a `next build` has been running for 10 minutes; not starting the app on a half-written .next",
      );
    if (waited === 0) console.log("waiting for a running `next build` to finish…");
    await new Promise((r) => setTimeout(r, 5_000));
  }
  if (!existsSync(".next/BUILD_ID")) {
    throw new Error(
      "No production build: run `npm run build` (or `npx next build`) before `npm run bench`.",
    );
  }
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  if (opts.profileDir !== undefined) {
    // Only this run's profiles: summaries read every file in the folder.
    rmSync(opts.profileDir, { recursive: true, force: true });
    mkdirSync(opts.profileDir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(opts.profileDir)}`);
  }
  const app = await startApp({
    databaseUrl: opts.databaseUrl,
    env: { INGEST_TOKEN: BENCH_TOKEN, ...opts.env },
    nodeArgs,
  });
  const pid = pidListeningOn(app.port);
  if (pid === undefined) {
    await app.stop();
    throw new Error(`could not find the process listening on port ${app.port}`);
  }
  return Object.assign(app, { pid });
}

/** POSTs one ingest body; throws unless every event was stored exactly once. */
export async function postBatch(appUrl: string, body: string, expected: number): Promise<number> {
  const send = () =>
    fetch(`${appUrl}/api/ingest`, {
      method: "POST",
      headers: { Authorization: `Bearer ${BENCH_TOKEN}`, "Content-Type": "application/json" },
      body,
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A kept-alive socket the app closed while idle (its keep-alive timer and
    // ours race on a loaded machine) fails before anything is sent: send once
    // more. Had the first one been stored, the check below would see duplicates.
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== "ECONNRESET" && code !== "UND_ERR_SOCKET") throw error;
    response = await send();
  }
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`ingest answered ${response.status}: ${text.slice(0, 400)}`);
  const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
  if (answer.rejected.length > 0 || answer.duplicates > 0 || answer.accepted !== expected) {
    throw new Error(`ingest did not store the batch as sent: ${text.slice(0, 400)}`);
  }
  return answer.accepted;
}
