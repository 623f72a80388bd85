// CPU time of process trees, read from /proc: where a load's CPU went, per
// component, so a throughput limit can be explained in microseconds per event.
import { readFileSync } from "node:fs";
import { processTree } from "./process-memory";

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of one process, counting its reaped children (undefined if it is gone). */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime are fields 14–17 of the line, 12–15 here.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process and its descendants alive now. */
export function treeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + (processCpuSeconds(p) ?? 0), 0);
}

/** CPU seconds used so far by each process tree, keyed as `pids` (0 for one that is gone). */
export function cpuSeconds(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
}

/** This process's own CPU seconds (user + system) so far. */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The parent of a process (the PostgreSQL postmaster, from one of its backends). */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

export interface CpuMeter {
  /** CPU seconds each component used since the meter started. */
  stop(): Record<string, number>;
}

/**
 * Meters the given process trees (and this process, as `self`, without its
 * children). A process of a tree that exits meanwhile (an autovacuum worker, a
 * short-lived PostgreSQL backend) still counts once its parent has reaped it,
 * through the parent's children's time; one not yet reaped when the meter
 * stops is missed.
 */
export function meterCpu(components: Record<string, number | undefined>): CpuMeter {
  const start = new Map<string, number>();
  for (const [name, pid] of Object.entries(components))
    if (pid !== undefined) start.set(name, treeCpuSeconds(pid));
  const self = process.cpuUsage();
  return {
    stop() {
      const used: Record<string, number> = {};
      for (const [name, pid] of Object.entries(components)) {
        if (pid !== undefined) used[name] = Math.max(0, treeCpuSeconds(pid) - start.get(name)!);
      }
      const s = process.cpuUsage(self);
      used.self = (s.user + s.system) / 1e6;
      return used;
    },
  };
}
