// How busy the machine was while the benchmarks ran: the load average,
// sampled, and a fixed CPU loop timed before and after (on a shared machine
// the same loop takes longer when others are busy).
import { createHash } from "node:crypto";
import os from "node:os";
import { median } from "./stats";

/** Milliseconds for a fixed single-threaded workload (best of 3, to skip one-off hiccups). */
export function calibrate(): number {
  const data = Buffer.alloc(1024 * 1024, 7);
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    for (let i = 0; i < 40; i += 1) createHash("sha256").update(data).digest();
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best);
}

export class LoadMonitor {
  private readonly samples: number[] = [os.loadavg()[0]!];
  private readonly timer = setInterval(() => this.samples.push(os.loadavg()[0]!), 5_000);

  constructor() {
    this.timer.unref();
  }

  stop(): { min: number; median: number; max: number } {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]!);
    const r = (n: number) => Math.round(n * 100) / 100;
    return {
      min: r(Math.min(...this.samples)),
      median: r(median(this.samples)),
      max: r(Math.max(...this.samples)),
    };
  }
}
