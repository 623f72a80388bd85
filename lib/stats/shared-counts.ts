// The whole fleet's counts for the live paths (GET /api/stats/summary, the
// list's first page, the stream's summaries, /metrics), counted once at a
// time per process and shared by whoever asks meanwhile.
//
// The counters make the total and `online` cheap, but `pending` is read live
// from the recent disconnects: in a storm that is the whole fleet, and at a
// million devices one count takes seconds. Every open page, the stream and
// a scrape asking at once used to run as many counts side by side, and
// ingest got what CPU they left (the 1M storm stored 850 events/s).
//
// The rule, with d the duration of the last count:
// - d < SLOW_MS, or the last count was of a small fleet (`reusable` says
//   no): a caller gets a count that started after it asked (a write it made
//   is in it); callers arriving while one runs share the next one.
// - d ≥ SLOW_MS of a large fleet: a caller gets the last count at once if it
//   finished less than 3·d ago; one asking 2·d or more after it finished
//   also starts the next count (one at a time), which nobody waits for.
//   Older than 3·d (nobody asked for a while), a caller waits for the
//   running count or a new one. An answer is then at most 4·d old, counting
//   takes at most a third of one connection's time, and while callers keep
//   asking (the stream, open pages) they seldom wait: the 1M storm's probes
//   waited for a running count about one time in three before.
// A small fleet's count is slow only when the machine is busy (a test run
// beside others); reusing it would show a stale count for nothing gained,
// and after a test empties the database, the emptied fleet's.
//
// A caller in a request's read scope (lib/db/request-reads.ts) stops
// waiting when its request is aborted or times out, with the error its own
// reads would end with; a count nobody waits for any longer is cancelled
// (callers outside any scope, the stream and /metrics, always wait).
import "server-only";
import { currentReadScope } from "../db/request-reads";

/** A count this slow switches callers to sharing and reuse. */
export const SLOW_MS = 250;

interface Last<T> {
  value: T;
  ms: number;
  doneAt: number;
}

interface Run<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

export interface SharedCountOptions<T> {
  /** The clock (tests pass their own). */
  now?: () => number;
  /** Whether a slow count of this value may be shared and reused (a large fleet's). */
  reusable?: (value: T) => boolean;
}

type Scope = ReturnType<typeof currentReadScope>;

/**
 * Waits for `promise` until it settles or the caller's scope aborts (then
 * `onLeave` runs, and the wait ends with the scope's error).
 */
function until<T>(promise: Promise<T>, scope: Scope, onLeave?: () => void): Promise<T> {
  if (scope === undefined || scope === null) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      onLeave?.();
      reject(scope.fail(scope.signal.reason));
    };
    scope.signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        scope.signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        scope.signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * `compute` behind the rule above, given a signal that aborts once no caller
 * waits.
 */
export function sharedCount<T>(
  compute: (signal: AbortSignal) => Promise<T>,
  { now = Date.now, reusable = () => true }: SharedCountOptions<T> = {},
) {
  let running: Run<T> | null = null;
  let last: Last<T> | null = null;

  const start = (): Run<T> => {
    const started = now();
    const controller = new AbortController();
    const promise = compute(controller.signal).then((value) => {
      last = { value, ms: now() - started, doneAt: now() };
      return value;
    });
    const run: Run<T> = { promise, controller, waiters: 0 };
    running = run;
    // Registered first, so it runs before any waiter resumes.
    const clear = () => {
      if (running === run) running = null;
    };
    promise.then(clear, clear);
    return run;
  };

  /** Waits for `run`; a caller leaving last cancels it. */
  const follow = (run: Run<T>, scope: Scope): Promise<T> => {
    run.waiters += 1;
    return until(run.promise, scope, () => {
      run.waiters -= 1;
      if (run.waiters === 0 && running === run) run.controller.abort();
    });
  };

  return async (): Promise<T> => {
    const scope = currentReadScope();
    if (scope?.signal.aborted) throw scope.fail(scope.signal.reason);
    if (last !== null && last.ms >= SLOW_MS && reusable(last.value)) {
      const age = now() - last.doneAt;
      if (age < 3 * last.ms) {
        // Its own run: nobody waits for it, and nobody's leaving cancels it.
        if (age >= 2 * last.ms && running === null) start();
        return last.value;
      }
      return follow(running ?? start(), scope);
    }
    if (running === null) return follow(start(), scope);
    // Fast: a count started after this call. The first caller to resume
    // after the running one settles starts it; the others join it.
    await until(running.promise, scope).catch((error: unknown) => {
      if (scope?.signal.aborted) throw error;
    });
    return follow(running ?? start(), scope);
  };
}
