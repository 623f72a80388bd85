// A job that repeats inside each app instance and never takes more than its
// share of the app: after each run it rests for its interval, or for
// REST_PER_RUN times the run's length when that is longer. Runs never
// overlap (the next one is scheduled when the last is over), and the timer
// does not keep the process alive.
import "server-only";

/**
 * How long a job rests after a run, per millisecond the run took. While a
 * mass disconnect's incident is open every detection run recomputes it
 * whole, and at 100,000 clients that took more CPU than the interval: back
 * to back, the detector took the share of the app's core that ingest needed
 * to drain the storm. Resting 4× the run keeps a job to at most a fifth of
 * the app's time.
 */
export const REST_PER_RUN = 4;

/** The pause before the next run: the interval, or longer after a slow run. */
export function nextRunDelayMs(intervalMs: number, lastRunMs: number): number {
  return Math.max(intervalMs, REST_PER_RUN * lastRunMs);
}

const timers = globalThis as unknown as { fleetJobTimers?: Map<string, NodeJS.Timeout> };

/**
 * Starts job `name` once per process (a second call does nothing): first
 * after `firstDelayMs`, then as nextRunDelayMs says. `run` handles its own
 * errors; one that escapes is logged by the caller's `onError`.
 */
export function startRestingJob(
  name: string,
  options: {
    intervalMs: number;
    firstDelayMs: number;
    run: () => Promise<void>;
    onError: (error: unknown) => void;
  },
): void {
  const jobs = (timers.fleetJobTimers ??= new Map());
  if (jobs.has(name)) return;
  const tick = async () => {
    const started = Date.now();
    try {
      await options.run();
    } catch (error) {
      options.onError(error);
    }
    schedule(nextRunDelayMs(options.intervalMs, Date.now() - started));
  };
  const schedule = (ms: number) => {
    const timer = setTimeout(() => void tick(), ms);
    timer.unref();
    jobs.set(name, timer);
  };
  schedule(options.firstDelayMs);
}
