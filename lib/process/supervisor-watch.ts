// A child of `npm start` stops itself when its supervisor is gone. The
// supervisor normally stops its children in order; this covers the case it
// cannot: killed with SIGKILL or crashed, which would otherwise leave the web
// server holding its port against the next `npm start`.
import { readFileSync } from "node:fs";

const CHECK_MS = 1_000;
const FORCE_AFTER_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This process's group (Linux /proc), undefined elsewhere. */
function ownGroup(): number | undefined {
  try {
    // Field 5 of /proc/self/stat, after the parenthesised command name.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    if (Number.isInteger(pgrp) && pgrp > 1) return pgrp;
  } catch {
    // not Linux
  }
  return undefined;
}

/** Watches FLEET_SUPERVISOR_PID, if set; ends this process group when that process is gone. */
export function watchSupervisor(env: NodeJS.ProcessEnv = process.env): void {
  const supervisor = Number(env.FLEET_SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 1) return;
  const timer = setInterval(() => {
    if (alive(supervisor)) return;
    clearInterval(timer);
    console.error(`[app] the npm start supervisor (pid ${supervisor}) is gone: stopping`);
    const group = ownGroup();
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(group === undefined ? process.pid : -group, s);
      } catch {
        process.kill(process.pid, s);
      }
    };
    signal("SIGTERM");
    setTimeout(() => signal("SIGKILL"), FORCE_AFTER_MS).unref();
  }, CHECK_MS);
  timer.unref();
}
