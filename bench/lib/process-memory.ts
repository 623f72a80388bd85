// Resident memory of another process (and its children), read from /proc, and
// a sampler that keeps the peak while a load runs.
import { readdirSync, readFileSync } from "node:fs";
import { listeningInodes, socketHolder } from "../../lib/process/proc";

const MiB = 1024 * 1024;

function statusField(pid: number, field: string): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // Gone, or no children file on this kernel.
  }
  return out;
}

/** The process and every descendant (next start may fork workers). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) all.push(...childrenOf(all[i]!));
  return all;
}

/** RSS of the process tree in MiB, or NaN if it is gone. */
export function rssMiB(pid: number): number {
  let total = 0;
  let found = false;
  for (const p of processTree(pid)) {
    const rss = statusField(p, "VmRSS");
    if (rss !== undefined) {
      total += rss;
      found = true;
    }
  }
  return found ? total / MiB : Number.NaN;
}

/** Finds the process listening on a loopback TCP port (the child startApp spawned). */
export function pidListeningOn(port: number): number | undefined {
  const inodes = listeningInodes(port);
  return inodes.size === 0 ? undefined : socketHolder(inodes);
}

export interface MemorySampler {
  /** Peak RSS seen since start (MiB). */
  stop(): { peakMiB: number; lastMiB: number; samples: number };
}

/** Samples a process tree's RSS every `intervalMs` until stopped. */
export function sampleMemory(pid: number, intervalMs = 100): MemorySampler {
  let peak = rssMiB(pid);
  let last = peak;
  let samples = 1;
  const timer = setInterval(() => {
    const now = rssMiB(pid);
    if (Number.isFinite(now)) {
      last = now;
      peak = Number.isFinite(peak) ? Math.max(peak, now) : now;
      samples += 1;
    }
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const now = rssMiB(pid);
      if (Number.isFinite(now)) {
        last = now;
        peak = Math.max(peak, now);
      }
      return { peakMiB: peak, lastMiB: last, samples };
    },
  };
}
