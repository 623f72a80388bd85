// The process tree of `npm start`: every child runs in a process group of its
// own, so a terminal's Ctrl-C reaches only the supervisor, which stops the
// pieces in order; the supervisor signals whole groups, so nothing a child
// started (next dev's server worker, PostgreSQL's backends) survives it.
// Children also watch the supervisor (FLEET_SUPERVISOR_PID, see
// lib/process/supervisor-watch.ts) and stop themselves if it dies without
// cleaning up, e.g. killed with SIGKILL.
import { type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { listeningInodes, socketHolder } from "../lib/process/proc";

export interface Supervised {
  name: string;
  child: ChildProcess;
  /** A graceful stop (the default: SIGTERM to the child's group). */
  stop?: () => void;
}

export function waitForExit(child: ChildProcess, ms = Infinity): Promise<boolean> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = Number.isFinite(ms) ? setTimeout(() => resolve(false), ms) : undefined;
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Signals the child's whole process group (it was spawned `detached`, so it leads one). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Stops one child: its graceful stop, then SIGKILL to its group if it outlives `ms`. */
export async function stopSupervised(s: Supervised, ms: number): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) {
    signalGroup(s.child, "SIGKILL"); // stragglers of an exited leader
    return;
  }
  if (s.stop) s.stop();
  else signalGroup(s.child, "SIGTERM");
  if (!(await waitForExit(s.child, ms))) {
    console.error(`[start] ${s.name} did not stop within ${ms / 1000} s: killing it`);
  }
  signalGroup(s.child, "SIGKILL");
}

/** Whether `port` on `host` can be listened on right now. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Who listens on `port`: "pid 123 (node …next start…)" where /proc tells,
 * else undefined. A stale server of an earlier run is the usual culprit.
 */
export function describePortHolder(port: number): string | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const pid = socketHolder(inodes);
  if (pid === undefined) return "a process this user cannot inspect";
  let cmd = "";
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    // exited meanwhile
  }
  return `pid ${pid}${cmd ? ` (${cmd.length > 120 ? `${cmd.slice(0, 117)}…` : cmd})` : ""}`;
}
