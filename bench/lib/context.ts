// What every suite gets, and what it hands back to the runner.
import type { PgServer } from "./database";
import type { Figure } from "./report";

/** The fleet the query, CSV and availability suites read: `--scale` (smoke has its own tiny one). */
export const SCALES = ["100k", "1m"] as const;
export type ScaleName = (typeof SCALES)[number];

export interface SuiteContext {
  server: PgServer;
  smoke: boolean;
  scale: ScaleName;
  /** Rebuild the kept scale database (`--fresh`) even when its marker says it is current. */
  fresh: boolean;
  /** Repetitions of each throughput measurement (medians are over these). */
  runs: number;
  /** Start the app with --cpu-prof and summarise where its time went. */
  profile: boolean;
  resultsDir: string;
  log: (line: string) => void;
}

export interface SuiteResult {
  figures: Figure[];
  /** Raw numbers for the JSON file. */
  details: Record<string, unknown>;
  /** Findings worth a sentence in the report: profiles, plans, why a target is missed. */
  notes: string[];
}

/** A suite's run: the runner's context and the suite's options in, its figures out. */
export type Suite<O> = (ctx: SuiteContext, o: O) => Promise<SuiteResult>;

/**
 * Runs `worker` over the items with `concurrency` loops pulling the next item,
 * until all are done or `deadlineMs` passes (every load is bounded in time).
 * Returns how many items were processed and the elapsed seconds.
 */
export async function drain<T>(
  items: readonly T[],
  concurrency: number,
  deadlineMs: number,
  worker: (item: T) => Promise<number>,
): Promise<{ done: number; processed: number; seconds: number; timedOut: boolean }> {
  let next = 0;
  let processed = 0;
  let timedOut = false;
  const started = performance.now();
  const deadline = started + deadlineMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        if (performance.now() > deadline) {
          timedOut = true;
          return;
        }
        const item = items[next++]!;
        // Not `processed += await …`: that reads `processed` before the await
        // and loses the other loops' increments made meanwhile.
        const n = await worker(item);
        processed += n;
      }
    }),
  );
  return { done: next, processed, seconds: (performance.now() - started) / 1000, timedOut };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
